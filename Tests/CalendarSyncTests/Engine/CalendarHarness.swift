import Accounts
import CalendarProviders
import Crypto
import Foundation
import Google
import GoogleEmulator
import JobArgs
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import TestSupport
import Testing
import Worker

/// An event as a test sees it at the service: live ones only.
struct LiveEvent: Equatable {
    var id: String
    var summary: String
    var start: Date?
    var isMirror: Bool
}

/// The engine's contract tests run the same steps against each service through this: connect
/// accounts of one owner, change events as their users would, and run `sync_account` the way a
/// worker slot does. Every implementation shares the database side (`EngineHarness`).
protocol CalendarHarness: AnyObject {
    var name: String { get }
    var db: PostgresConnection { get }
    /// An account with one owned calendar (named as its email) in owner `owner-1`'s group.
    func connect(email: String) throws -> Int64
    func add(_ calendar: String, id: String, summary: String, start: Date, hours: Double) throws
    func move(_ calendar: String, id: String, start: Date, hours: Double) throws
    func retitle(_ calendar: String, id: String, summary: String) throws
    func remove(_ calendar: String, id: String) throws
    func live(_ calendar: String) -> [LiveEvent]
    /// Every cursor handed out so far stops working.
    func expireCursors() throws
    /// One attempt of `sync_account` for the account; throws unless it succeeded.
    func sync(_ accountID: Int64) throws -> JobFigures
}

/// The database, the job environment and the run of a sync, shared by every harness.
class EngineHarness {
    static let now = Date(timeIntervalSince1970: 1_795_305_600)  // 2026-11-22T00:00:00Z
    let database: TestDatabase
    let db: PostgresConnection
    var environment: JobEnvironment
    let cipher: TokenCipher

    init(environment: JobEnvironment) throws {
        database = try TestDatabase.make()
        db = try database.connect()
        cipher = TokenCipher(current: try TokenCipher.Key(base64: Data((0..<32).map { UInt8($0 &* 5) }).base64EncodedString()))
        self.environment = environment
        self.environment.tokenCipher = cipher
        self.environment.now = { Self.now }
    }

    deinit { database.drop() }

    func addAccount(email: String, refreshToken: String) throws -> Int64 {
        try AccountStore(cipher: cipher).add(email: email, owner: "owner-1", refreshToken: refreshToken, on: db).id
    }

    func sync(_ accountID: Int64) throws -> JobFigures {
        let job = ClaimedJob(
            id: 1, kind: SyncAccountJob.kind, queue: "default", args: #"{"account_id": \#(accountID)}"#, attempt: 1, maxAttempts: 5,
            priority: 0, timeout: nil, startedAt: Date(), dueAt: Date())
        let connection = db
        let context = JobContext(
            job: job, logger: Logger(level: .warning, handler: InMemoryLogHandler()), stopSignal: StopSignal(),
            deadline: .now + .seconds(600), metrics: MetricsRegistry(), connectionProvider: { connection })
        let handler = SyncAccountJob(environment: environment)
        let result = try handler.run(try handler.validate(.init(.account(accountID))), context: context)
        guard case .success(let figures) = result else { throw HarnessError.syncDidNotSucceed("\(result)") }
        return figures
    }

    enum HarnessError: Error { case syncDidNotSucceed(String) }

    static func text(_ date: Date) -> String { date.formatted(.iso8601) }
}

/// Google Calendar through the emulator on loopback: the real HTTP client, OAuth and pages.
final class GoogleHarness: EngineHarness, CalendarHarness {
    let emulator: GoogleEmulator
    var name: String { "google" }

    init() throws {
        emulator = try GoogleEmulator()
        emulator.start()
        var environment = JobEnvironment()
        environment.google.apiURL = emulator.apiURL
        environment.google.tokenURL = emulator.tokenURL
        environment.google.clientID = emulator.clientID
        environment.google.clientSecret = emulator.clientSecret
        environment.google.requestsPerMinute = 6000
        try super.init(environment: environment)
    }

    deinit { emulator.stop() }

    func connect(email: String) throws -> Int64 {
        emulator.addAccount(email: email, refreshToken: "rt-\(email)")
        try emulator.addCalendar(account: email, id: email, summary: email, timeZone: "Europe/Berlin", accessRole: "owner", primary: true)
        return try addAccount(email: email, refreshToken: "rt-\(email)")
    }

    func add(_ calendar: String, id: String, summary: String, start: Date, hours: Double) throws {
        _ = try emulator.createEvent(
            calendarID: calendar,
            [
                "id": id, "summary": summary, "start": ["dateTime": Self.text(start)],
                "end": ["dateTime": Self.text(start.addingTimeInterval(hours * 3600))],
            ])
    }

    func move(_ calendar: String, id: String, start: Date, hours: Double) throws {
        _ = try emulator.patchEvent(
            calendarID: calendar, eventID: id,
            ["start": ["dateTime": Self.text(start)], "end": ["dateTime": Self.text(start.addingTimeInterval(hours * 3600))]])
    }

    func retitle(_ calendar: String, id: String, summary: String) throws {
        _ = try emulator.patchEvent(calendarID: calendar, eventID: id, ["summary": summary])
    }

    func remove(_ calendar: String, id: String) throws { try emulator.deleteEvent(calendarID: calendar, eventID: id) }

    func live(_ calendar: String) -> [LiveEvent] {
        emulator.events(calendarID: calendar).filter { $0["status"] as? String != "cancelled" }.map { event in
            let start = ((event["start"] as? [String: Any])?["dateTime"] as? String).flatMap { try? Date($0, strategy: .iso8601) }
            return LiveEvent(id: event["id"] as! String, summary: event["summary"] as? String ?? "", start: start, isMirror: isMirrorEvent(event))
        }.sorted { $0.id < $1.id }
    }

    func expireCursors() throws { try emulator.invalidateSyncTokens() }
}

/// The in-memory service of the test target, for accounts whose provider is `memory`.
final class InMemoryHarness: EngineHarness, CalendarHarness {
    let service = InMemoryCalendarService()
    var name: String { InMemoryCalendarService.kind }
    private var accounts: [String: String] = [:]

    init() throws {
        var environment = JobEnvironment()
        let directory = service.directory()
        environment.otherProviders[InMemoryCalendarService.kind] = { _ in directory }
        try super.init(environment: environment)
    }

    func connect(email: String) throws -> Int64 {
        service.addCalendar(account: email, id: email)
        accounts[email] = email
        let id = try addAccount(email: email, refreshToken: "unused")
        try db.execute("UPDATE calworker.accounts SET provider = $2 WHERE id = $1", [id, InMemoryCalendarService.kind])
        return id
    }

    /// Calendars are named as their account's email here.
    private func account(of calendar: String) -> String { calendar }

    func add(_ calendar: String, id: String, summary: String, start: Date, hours: Double) throws {
        var event = ProviderEvent(id: id)
        event.summary = summary
        event.start = .init(dateTime: Self.text(start), timeZone: "Europe/Berlin")
        event.end = .init(dateTime: Self.text(start.addingTimeInterval(hours * 3600)), timeZone: "Europe/Berlin")
        service.put(account: account(of: calendar), calendar: calendar, event)
    }

    func move(_ calendar: String, id: String, start: Date, hours: Double) throws {
        var event = try #require(service.event(account: account(of: calendar), calendar: calendar, id: id))
        event.start = .init(dateTime: Self.text(start), timeZone: "Europe/Berlin")
        event.end = .init(dateTime: Self.text(start.addingTimeInterval(hours * 3600)), timeZone: "Europe/Berlin")
        service.put(account: account(of: calendar), calendar: calendar, event)
    }

    func retitle(_ calendar: String, id: String, summary: String) throws {
        var event = try #require(service.event(account: account(of: calendar), calendar: calendar, id: id))
        event.summary = summary
        service.put(account: account(of: calendar), calendar: calendar, event)
    }

    func remove(_ calendar: String, id: String) throws { service.delete(account: account(of: calendar), calendar: calendar, id: id) }

    func live(_ calendar: String) -> [LiveEvent] {
        service.events(account: account(of: calendar), calendar: calendar).filter { $0.status != "cancelled" }.map { event in
            LiveEvent(
                id: event.id, summary: event.summary ?? "", start: event.start?.dateTime.flatMap { try? Date($0, strategy: .iso8601) },
                isMirror: event.mirror == "1")
        }
    }

    func expireCursors() throws { service.expireCursors() }
}
