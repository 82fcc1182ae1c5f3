import Accounts
import CalendarSync
import Crypto
import Foundation
import Google
import GoogleEmulator
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import Synchronization
import TestSupport
import Testing
import Worker

/// An emulator on loopback, a test database, and one connected account: what every sync test
/// starts from. Runs `sync_account` in-process, the way a worker slot does.
final class SyncFixture: Sendable {
    static let email = "ada@example.com"
    static let refreshToken = "1//rt-ada-7f3k"
    static let now = Date(timeIntervalSince1970: 1_795_305_600)  // 2026-11-22T00:00:00Z
    static let keyBase64 = Data((0..<32).map { UInt8($0 &* 7) }).base64EncodedString()
    let emulator: GoogleEmulator
    let database: TestDatabase
    let db: PostgresConnection
    let environment: JobEnvironment
    let accountID: Int64
    let metrics = MetricsRegistry()
    let logs = InMemoryLogHandler()
    let pageHook: PageHook

    /// Called after each stored page with the run's page count (tests inject changes there).
    var onPage: (@Sendable (Int) -> Void)? {
        get { pageHook.hook.withLock { $0 } }
        set { pageHook.hook.withLock { $0 = newValue } }
    }

    /// - Parameter calendars: the account's calendars; the first is its primary, owned; the
    ///   others are shared with it as a writer unless `ownedCalendars` says otherwise (owned
    ///   calendars of one account mirror busy time into each other).
    init(calendars: [String] = [SyncFixture.email], ownedCalendars: Bool = false, shortPages: Bool = false, pageSize: Int = 2500) throws {
        pageHook = PageHook(logs)
        emulator = try GoogleEmulator()
        emulator.start()
        emulator.addAccount(email: Self.email, refreshToken: Self.refreshToken)
        for (index, id) in calendars.enumerated() {
            try emulator.addCalendar(
                account: Self.email, id: id, summary: "Calendar \(index)", timeZone: "Europe/Berlin",
                accessRole: index == 0 || ownedCalendars ? "owner" : "writer", primary: index == 0)
        }
        var options = emulator.options
        options.shortPages = shortPages
        emulator.options = options
        database = try TestDatabase.make()
        db = try database.connect()
        let key = try TokenCipher.Key(base64: Self.keyBase64)
        var google = GoogleSettings(
            apiURL: emulator.apiURL, tokenURL: emulator.tokenURL, clientID: emulator.clientID,
            clientSecret: emulator.clientSecret, requestsPerMinute: 6000)
        google.eventsPageSize = pageSize
        var environment = JobEnvironment(google: google, tokenCipher: TokenCipher(current: key))
        // The sample events are dated late November 2026; the mirror window is measured from here.
        environment.now = { Self.now }
        self.environment = environment
        accountID = try AccountStore(cipher: environment.tokenCipher).add(
            email: Self.email, owner: "owner-1",
            refreshToken: Self.refreshToken, on: db
        ).id
    }

    deinit {
        emulator.stop()
        database.drop()
    }

    /// Runs one attempt of `sync_account` for the account and returns its result.
    func sync(
        args: String? = nil, accountID: Int64? = nil, stop: StopSignal = StopSignal(),
        connection: PostgresConnection? = nil, environment: JobEnvironment? = nil
    ) throws -> JobResult {
        let text = args ?? #"{"account_id": \#(accountID ?? self.accountID)}"#
        let job = ClaimedJob(
            id: 1, kind: SyncAccountJob.kind, queue: "default", args: text, attempt: 1, maxAttempts: 5,
            priority: 0, timeout: nil, startedAt: Date(), dueAt: Date())
        let connection = connection ?? db
        let context = JobContext(
            job: job, logger: Logger(level: .debug, handler: pageHook), stopSignal: stop,
            deadline: .now + .seconds(600), metrics: metrics, progressInterval: .milliseconds(1),
            connectionProvider: { connection })
        let handler = SyncAccountJob(environment: environment ?? self.environment)
        let decoded = try JSONDecoder().decode(SyncAccountJob.Args.self, from: Data(text.utf8))
        return try handler.run(try handler.validate(decoded), context: context)
    }

    /// Runs one attempt of `cleanup` with `args`.
    func cleanup(_ args: String, environment: JobEnvironment? = nil) throws -> JobResult {
        let job = ClaimedJob(
            id: 1, kind: CleanupJob.kind, queue: "default", args: args, attempt: 1, maxAttempts: 5,
            priority: 0, timeout: nil, startedAt: Date(), dueAt: Date())
        let connection = db
        let context = JobContext(
            job: job, logger: Logger(level: .debug, handler: pageHook), stopSignal: StopSignal(),
            deadline: .now + .seconds(600), metrics: metrics, connectionProvider: { connection })
        let decoded = try JSONDecoder().decode(CleanupJob.Args.self, from: Data(args.utf8))
        let handler = CleanupJob(environment: environment ?? self.environment)
        return try handler.run(try handler.validate(decoded), context: context)
    }

    /// Syncs until an attempt succeeds (retries and failures in between), like the queue would.
    func syncUntilSuccess(attempts: Int = 20, accountID: Int64? = nil) throws -> JobFigures {
        var last: (any Error)?
        for _ in 0..<attempts {
            do {
                if case .success(let figures) = try sync(accountID: accountID) { return figures }
            } catch {
                last = error
            }
        }
        throw last ?? FixtureError.neverSucceeded
    }

    enum FixtureError: Error { case neverSucceeded }

    /// id -> "status etag" of the local copy of a calendar.
    func local(_ calendarID: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try db.query(
            "SELECT event_id, status, etag FROM calworker.events WHERE account_id = $1 AND calendar_id = $2",
            [accountID, calendarID])
        {
            result[try row.decode(at: 0)] = "\(try row.decode(String.self, at: 1)) \(try row.decodeOptional(String.self, at: 2) ?? "-")"
        }
        return result
    }

    /// The same for the emulator's state: every event it holds, cancelled ones included.
    func remote(_ calendarID: String) -> [String: String] {
        var result: [String: String] = [:]
        for event in emulator.events(calendarID: calendarID) {
            result[event["id"] as! String] = "\(event["status"] as? String ?? "confirmed") \(event["etag"] as? String ?? "-")"
        }
        return result
    }

    func accountState() throws -> Account { try AccountStore(cipher: nil).account(id: accountID, on: db) }
}

/// Keeps the logs, and calls a hook on each "job progress" line (one per page here).
final class PageHook: LogHandler {
    let inner: InMemoryLogHandler
    let hook = Mutex<(@Sendable (Int) -> Void)?>(nil)

    init(_ inner: InMemoryLogHandler) { self.inner = inner }

    func log(level: LogLevel, message: String, metadata: [String: String]) {
        inner.log(level: level, message: message, metadata: metadata)
        if message == "job progress", let pages = metadata["pages"].flatMap(Int.init) { hook.withLock { $0 }?(pages) }
    }
}

/// Events of every shape docs/sync.md names: timed with a zone, all-day, a weekly series with a
/// moved and a cancelled instance, a declined and a transparent one.
enum SampleEvents {
    static func seed(_ emulator: GoogleEmulator, calendarID: String, prefix: String = "e") throws {
        try emulator.createEvent(
            calendarID: calendarID,
            [
                "id": "\(prefix)timed001", "summary": "Dentist",
                "start": ["dateTime": "2026-11-23T09:00:00+01:00", "timeZone": "Europe/Berlin"],
                "end": ["dateTime": "2026-11-23T10:00:00+01:00", "timeZone": "Europe/Berlin"],
            ])
        try emulator.createEvent(
            calendarID: calendarID,
            [
                "id": "\(prefix)allday01", "summary": "Holiday",
                "start": ["date": "2026-11-24"], "end": ["date": "2026-11-25"],
            ])
        try emulator.createEvent(
            calendarID: calendarID,
            [
                "id": "\(prefix)series01", "summary": "Standup",
                "start": ["dateTime": "2026-11-23T09:30:00+01:00", "timeZone": "Europe/Berlin"],
                "end": ["dateTime": "2026-11-23T09:45:00+01:00", "timeZone": "Europe/Berlin"],
                "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=10"],
            ])
        try emulator.createEvent(
            calendarID: calendarID,
            [
                "id": "\(prefix)series01_20261130T083000Z", "summary": "Standup (moved)",
                "recurringEventId": "\(prefix)series01", "originalStartTime": ["dateTime": "2026-11-30T09:30:00+01:00", "timeZone": "Europe/Berlin"],
                "start": ["dateTime": "2026-11-30T11:00:00+01:00", "timeZone": "Europe/Berlin"],
                "end": ["dateTime": "2026-11-30T11:15:00+01:00", "timeZone": "Europe/Berlin"],
            ])
        try emulator.createEvent(
            calendarID: calendarID,
            [
                "id": "\(prefix)series01_20261207T083000Z", "status": "cancelled",
                "recurringEventId": "\(prefix)series01", "originalStartTime": ["dateTime": "2026-12-07T09:30:00+01:00", "timeZone": "Europe/Berlin"],
                "start": ["dateTime": "2026-12-07T09:30:00+01:00"], "end": ["dateTime": "2026-12-07T09:45:00+01:00"],
            ])
        try emulator.createEvent(
            calendarID: calendarID,
            [
                "id": "\(prefix)free0001", "summary": "Maybe", "transparency": "transparent",
                "start": ["dateTime": "2026-11-25T15:00:00Z"], "end": ["dateTime": "2026-11-25T16:00:00Z"],
            ])
        try emulator.createEvent(
            calendarID: calendarID,
            [
                "id": "\(prefix)declined", "summary": "Declined",
                "attendees": [["email": SyncFixture.email, "self": true, "responseStatus": "declined"]],
                "start": ["dateTime": "2026-11-26T15:00:00Z"], "end": ["dateTime": "2026-11-26T16:00:00Z"],
            ])
    }

    /// `count` plain timed events, a day apart from `start`.
    static func many(
        _ emulator: GoogleEmulator, calendarID: String, count: Int, prefix: String = "bulk",
        from base: Date = Date(timeIntervalSince1970: 1_795_000_000)
    ) throws {
        for index in 0..<count {
            let start = base.addingTimeInterval(Double(index) * 3600)
            try emulator.createEvent(
                calendarID: calendarID,
                [
                    "id": "\(prefix)\(String(format: "%06d", index))", "summary": "Event \(index)",
                    "start": ["dateTime": RFC3339.format(start)], "end": ["dateTime": RFC3339.format(start.addingTimeInterval(1800))],
                ])
        }
    }
}

enum RFC3339 {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// The local copy of a calendar equals the emulator's: same ids, statuses and etags. On a
/// mismatch it names a few differing ids rather than printing thousands of events.
func expectSameEvents(_ fixture: SyncFixture, _ calendarID: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let local = try fixture.local(calendarID)
    let remote = fixture.remote(calendarID)
    let differing = Set(local.keys).union(remote.keys).filter { local[$0] != remote[$0] }.sorted()
    #expect(
        differing.isEmpty,
        "calendar \(calendarID): \(local.count) local, \(remote.count) at Google; differing: \(differing.prefix(5).map { "\($0) local=\(local[$0] ?? "-") google=\(remote[$0] ?? "-")" })",
        sourceLocation: sourceLocation)
}

/// Whether an event from the emulator carries calworker's mirror mark.
func isMirrorEvent(_ event: [String: Any]) -> Bool {
    ((event["extendedProperties"] as? [String: Any])?["private"] as? [String: Any])?["calworkerMirror"] as? String == "1"
}

/// A live mirror series or single mirror (not an occurrence of a series).
func isLiveMirror(_ event: [String: Any]) -> Bool {
    isMirrorEvent(event) && event["status"] as? String != "cancelled" && event["recurringEventId"] == nil
}
