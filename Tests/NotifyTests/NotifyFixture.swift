import Accounts
import Crypto
import Foundation
import HTTPClient
import JobQueue
import Jobs
import Logging
import Metrics
import Notify
import Postgres
import TestSupport
import Worker

/// A database with an owner's account, a calendar and events written straight into the local
/// copy, an SMTP server, and the job environment pointing at it, the clock pinned.
final class NotifyFixture {
    let database: TestDatabase
    let db: PostgresConnection
    let smtp: SMTPTestServer
    var environment: JobEnvironment
    let accountID: Int64
    var now: Date

    static let key = try! TokenCipher.Key(base64: Data(repeating: 3, count: 32).base64EncodedString())

    init(now: Date, smtpDelay: Double = 0) throws {
        database = try TestDatabase.make()
        db = try database.connect()
        smtp = try SMTPTestServer(delay: smtpDelay)
        self.now = now
        accountID = try AccountStore(cipher: TokenCipher(current: Self.key)).add(
            email: "ada@example.com", owner: "user-1",
            refreshToken: "rt", on: db
        ).id
        try db.execute(
            """
            INSERT INTO calworker.calendars (account_id, calendar_id, summary, time_zone, access_role, is_primary, sync_token)
            VALUES ($1, 'ada@example.com', 'Ada', 'Europe/Berlin', 'owner', true, 'token')
            """, [accountID])
        environment = JobEnvironment()
        var notify = NotifySettings()
        notify.smtp = SMTPSettings(url: smtp.url, username: SMTPTestServer.username, password: SMTPTestServer.password, caFile: smtp.certificate)
        notify.from = MailAddress(name: "Calendar", address: "calendar@example.com")
        notify.alertEmails = [MailAddress(address: "ops@example.com")]
        notify.webhookSecret = "whsec-test-91"
        environment.notify = notify
        let pinned = now
        environment.now = { pinned }
    }

    deinit { database.drop() }

    /// An event as the sync would have stored it.
    func event(
        _ id: String, start: String, summary: String = "Shift", zone: String? = nil, date: String? = nil, recurrence: [String]? = nil,
        status: String = "confirmed", uid: String? = nil
    ) throws {
        var raw: [String: Any] = ["id": id, "status": status, "summary": summary]
        if let uid { raw["iCalUID"] = uid }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: raw), as: UTF8.self)
        let instant: Date? = date == nil ? ISO8601DateFormatter().date(from: start) : nil
        try db.execute(
            """
            INSERT INTO calworker.events (account_id, calendar_id, event_id, status, summary, start_date, start_time, start_time_zone,
                                          recurrence, raw)
            VALUES ($1, 'ada@example.com', $2, $3, $4, $5::date, $6, $7, $8, $9::jsonb)
            ON CONFLICT (account_id, calendar_id, event_id) DO UPDATE
               SET status = EXCLUDED.status, start_time = EXCLUDED.start_time, start_date = EXCLUDED.start_date, summary = EXCLUDED.summary
            """, [accountID, id, status, summary, date, instant, zone, recurrence, json])
    }

    func settings(_ sql: String) throws {
        try db.execute("INSERT INTO calworker.notification_settings (owner) VALUES ('user-1') ON CONFLICT DO NOTHING")
        try db.execute("UPDATE calworker.notification_settings SET \(sql) WHERE owner = 'user-1'")
    }

    /// One attempt of `notify` with `args`, in-process, the way a worker slot runs it.
    func notify(_ args: String, connection: PostgresConnection? = nil) throws -> JobResult {
        try Self.notify(args, environment: environment, now: now, connection: connection ?? db)
    }

    static func notify(_ args: String, environment: JobEnvironment, now: Date, connection session: PostgresConnection) throws -> JobResult {
        var environment = environment
        let pinned = now
        environment.now = { pinned }
        let job = ClaimedJob(
            id: 1, kind: NotifyJob.kind, queue: "default", args: args, attempt: 1, maxAttempts: 5, priority: 0, timeout: nil,
            startedAt: Date(), dueAt: Date())
        let context = JobContext(
            job: job, logger: .disabled, stopSignal: StopSignal(), deadline: .now + .seconds(120), metrics: MetricsRegistry(),
            connectionProvider: { session })
        let handler = NotifyJob(environment: environment)
        let decoded = try JSONDecoder().decode(NotifyJob.Args.self, from: Data(args.utf8))
        return try handler.run(try handler.validate(decoded), context: context)
    }

    func reminders(connection: PostgresConnection? = nil) throws -> JobFigures {
        guard case .success(let figures) = try notify(#"{"reminders": true}"#, connection: connection) else {
            throw ConnectError(message: "the reminders run did not succeed")
        }
        return figures
    }
}

struct ConnectError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
