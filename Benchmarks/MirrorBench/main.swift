import Accounts
import BenchSupport
import CalendarProviders
import Crypto
import Foundation
import Google
import HTTPClient
import JobQueue
// The mirror benchmark: not a test. Prints figures and their ratio to the minimum possible.
//
//   scripts/bench-mirrors [--sources N]
//
// Two accounts of one owner, three owned calendars, N source events (default 1,000) spread
// over them, against the google-emulator (its own process) limited to Google's 600 requests a
// minute per user. Reported: writes made against the minimum (one per source and other
// calendar), API calls, 403/429 answers (must be 0: the request budget stays under the limit),
// wall time, and what a sync with no change costs.
import Jobs
import LocalCopy
import Metrics
import Mirroring
import Postgres

guard let adminURL = argument("--url"), let emulatorURL = argument("--emulator") else {
    FileHandle.standardError.write(Data("use scripts/bench-mirrors (it starts PostgreSQL and the emulator)\n".utf8))
    exit(2)
}
let sources = Int(argument("--sources") ?? "") ?? 1000

let admin = EmulatorAdmin(emulatorURL)

/// API calls since the last reset, and how many were answered 403 or 429.
func apiCalls() throws -> (all: Int, limited: Int) {
    let stats = try JSONSerialization.jsonObject(with: try admin("GET", "/stats")) as? [String: Any]
    var all = 0
    var limited = 0
    for row in stats?["requests"] as? [[String: Any]] ?? [] {
        let route = row["route"] as? String ?? ""
        guard route.hasPrefix("users/") || route.hasPrefix("calendars/") else { continue }
        let count = row["count"] as? Int ?? 0
        all += count
        if [403, 429].contains(row["status"] as? Int ?? 0) { limited += count }
    }
    return (all, limited)
}

let calendars = [
    ("ada@example.com", "ada@example.com"), ("work@example.com", "work@example.com"), ("work@example.com", "team@group.calendar.google.com"),
]
let formatter = ISO8601DateFormatter()
let start = Date().addingTimeInterval(86_400)
try admin("POST", "/options", ["userRequestsPerMinute": 600])
for (index, (account, calendar)) in calendars.enumerated() {
    let events: [[String: Any]] = stride(from: index, to: sources, by: calendars.count).map { number in
        let begins = start.addingTimeInterval(Double(number) * 3600)
        return [
            "id": "src\(String(format: "%06d", number))", "summary": "Meeting \(number)",
            "start": ["dateTime": formatter.string(from: begins)], "end": ["dateTime": formatter.string(from: begins.addingTimeInterval(1800))],
        ]
    }
    try admin(
        "POST", "/seed",
        [
            "accounts": [
                [
                    "email": account, "refresh_token": "rt-\(account)",
                    "calendars": [["id": calendar, "primary": calendar == account, "events": events]],
                ]
            ]
        ])
}

let root = try PostgresConnection.connect(adminURL)
try root.execute("DROP DATABASE IF EXISTS cw_bench_mirrors WITH (FORCE)")
try root.execute("CREATE DATABASE cw_bench_mirrors")
let db = try PostgresConnection.connect(adminURL + " dbname=cw_bench_mirrors")
try CalworkerSchema.migrator.migrate(on: db)
let store = AccountStore(cipher: TokenCipher(current: try TokenCipher.Key(base64: Data(repeating: 9, count: 32).base64EncodedString())))
let ids = try ["ada@example.com", "work@example.com"].map { try store.add(email: $0, owner: "owner-1", refreshToken: "rt-\($0)", on: db).id }
let settings = GoogleSettings(
    apiURL: emulatorURL + "/calendar/v3", tokenURL: emulatorURL + "/token",
    clientID: "calworker-test-client", clientSecret: "calworker-test-secret", requestsPerMinute: 500)
let providers = Providers(["google": GoogleProviders(settings: settings, cipher: store.cipher, metrics: MetricsRegistry())])

/// One account's job: its copy, then the group's mirrors.
func syncJob(_ id: Int64) throws -> MirrorReport {
    try copy(id)
    return try mirror(id)
}
func copy(_ id: Int64) throws {
    let provider = try providers.provider(kind: "google", forAccount: id, session: try db.openSibling(), shouldAbort: { false })
    _ = try AccountSync(accountID: id, provider: provider, db: db).run()
}
func mirror(_ id: Int64) throws -> MirrorReport {
    try GroupMirroring(
        accountID: id, providers: providers, timeZones: OwnerTimeZones { _, _ in nil }, store: store, db: db, metrics: MetricsRegistry(),
        shouldAbort: { false }
    ).run()
}

print(
    "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; emulator limited to 600 requests/minute/user; calworker's budget 500/minute/account"
)
// Both local copies first, so the timed step is the whole group's first convergence.
try copy(ids[1])
try copy(ids[0])
try admin("DELETE", "/stats")
let begin = ContinuousClock.now
let report = try mirror(ids[0])
let wall = seconds(since: begin)
let calls = try apiCalls()
let minimum = sources * (calendars.count - 1)
let writes = report.inserted + report.patched + report.restored + report.deleted
// The floor Google's limit sets: the busiest target account's writes at 600 a minute.
var perAccount: [String: Int] = [:]
for (target, (account, _)) in calendars.enumerated() {
    for source in calendars.indices where source != target {
        perAccount[account, default: 0] += Array(stride(from: source, to: sources, by: calendars.count)).count
    }
}
let floor = Double(perAccount.values.max() ?? 0) / 10
print(
    "sources \(sources) in \(calendars.count) calendars: \(writes) writes (minimum \(minimum), ratio \(fmt(Double(writes) / Double(minimum), 2))), "
        + "\(calls.all) API calls, \(calls.limited) answered 403/429")
print(
    "wall time \(fmt(wall, 1)) s (\(fmt(Double(writes) / wall, 1)) writes/s); Google's limit allows it in \(fmt(floor, 1)) s "
        + "(the busiest account's \(perAccount.values.max() ?? 0) writes at 600/minute): ratio \(fmt(wall / floor, 2))")
// The other account reads back what was written into its calendars; then nothing changes.
_ = try syncJob(ids[1])
_ = try syncJob(ids[0])
try admin("DELETE", "/stats")
let quiet = try syncJob(ids[0])
let quietCalls = try apiCalls()
print(
    "a sync with no change (account 1, one calendar): \(quietCalls.all) API calls (minimum 2: the calendar list and one events.list), "
        + "\(quiet.inserted + quiet.patched + quiet.restored + quiet.deleted) writes")
