import Accounts
import BenchSupport
import Crypto
import Foundation
import HTTPClient
import JobQueue
// The reminder benchmark: not a test. Prints how fast the notify job delivers due reminders
// (planning, ledger claims and marks, rendering, SMTP with STARTTLS and AUTH) against libcurl's
// own `curl` command sending the same number of messages to the same server, one connection
// each, in the same run.
//
//   scripts/bench-notify [--reminders N]
import Jobs
import Metrics
import Notify
import Postgres
import TestSupport

guard let adminURL = argument("--url") else { fail("use scripts/bench-notify (it starts PostgreSQL)") }
let count = Int(argument("--reminders") ?? "") ?? 200
let admin = try PostgresConnection.connect(adminURL)
try admin.execute("DROP DATABASE IF EXISTS cw_bench_notify WITH (FORCE)")
try admin.execute("CREATE DATABASE cw_bench_notify")
let db = try PostgresConnection.connect(adminURL + " dbname=cw_bench_notify")
try CalworkerSchema.migrator.migrate(on: db)
let account = try AccountStore(cipher: TokenCipher(current: try TokenCipher.Key(base64: Data(repeating: 1, count: 32).base64EncodedString())))
    .add(email: "ada@example.com", owner: "user-1", refreshToken: "rt", on: db).id
try db.execute(
    "INSERT INTO calworker.calendars (account_id, calendar_id, access_role, sync_token) VALUES ($1, 'ada@example.com', 'owner', 't')", [account])
let now = Date()
try db.execute(
    """
    INSERT INTO calworker.events (account_id, calendar_id, event_id, status, summary, start_time, raw)
    SELECT $1, 'ada@example.com', 'bench' || g, 'confirmed', 'Schicht ' || g || ' — Station ' || (g % 7), $2::timestamptz + g * interval '1 second',
           jsonb_build_object('id', 'bench' || g)
      FROM generate_series(1, $3) g
    """, [account, now.addingTimeInterval(600), count])

let server = try SMTPTestServer()
var settings = NotifySettings()
settings.smtp = SMTPSettings(url: server.url, username: SMTPTestServer.username, password: SMTPTestServer.password, caFile: server.certificate)
settings.from = MailAddress(name: "Calendar", address: "calendar@example.com")
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; aiosmtpd on loopback with STARTTLS and AUTH; \(count) reminders due")

let started = ContinuousClock.now
let report = try ReminderRun(settings: settings, db: db, metrics: MetricsRegistry(), now: now).run()
let ours = seconds(since: started)
guard report.sent == count, server.received().count == count else { fail("sent \(report.sent), received \(server.received().count) of \(count)") }

// The reference: curl, one process and connection per message, the same messages.
let sample = server.received()[0].raw
let file = NSTemporaryDirectory() + "/calworker-bench-message.eml"
try sample.write(to: URL(fileURLWithPath: file))
let curlStarted = ContinuousClock.now
for _ in 0..<count {
    var pid: pid_t = 0
    let arguments = [
        "curl", "--silent", "--show-error", "--ssl-reqd", "--cacert", server.certificate, "--user",
        "\(SMTPTestServer.username):\(SMTPTestServer.password)", "--mail-from", "calendar@example.com",
        "--mail-rcpt", "ada@example.com", "--upload-file", file, server.url,
    ]
    let argv = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    guard posix_spawnp(&pid, "curl", nil, nil, argv, environ) == 0 else { fail("cannot start curl") }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    guard status == 0 else { fail("curl failed with status \(status)") }
}
let reference = seconds(since: curlStarted)
guard server.received().count == 2 * count else { fail("curl delivered \(server.received().count - count) of \(count)") }
print(
    String(format: "notify job: %d reminders in %.2f s (%.1f/s), each planned, claimed, rendered, sent and marked", count, ours, Double(count) / ours)
)
print(String(format: "curl:       %d messages in %.2f s (%.1f/s), one process and connection each", count, reference, Double(count) / reference))
print(String(format: "ratio (job / curl throughput): %.2f", reference / ours))
try admin.execute("DROP DATABASE IF EXISTS cw_bench_notify WITH (FORCE)")
