import Accounts
import CalendarSync
import Crypto
import Foundation
import HTTPServer
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import Push
import PushReceiver
import TestSupport

/// A test database with one active account and channels of known tokens, and a receiver on
/// it: what the receiver's tests start from. Channels are recorded the way the keeper records
/// them, so no Google is needed to check what the receiver does with a notification.
final class PushFixture: Sendable {
    static let keyBase64 = Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 11) }).base64EncodedString()
    let database: TestDatabase
    let db: PostgresConnection
    let accountID: Int64
    let metrics = MetricsRegistry()
    let receiver: PushReceiver

    init(coalesceDelay: Duration = .milliseconds(300)) throws {
        database = try TestDatabase.make()
        db = try database.connect()
        let cipher = TokenCipher(current: try TokenCipher.Key(base64: Self.keyBase64))
        accountID = try AccountStore(cipher: cipher).add(email: "ada@example.com", owner: "owner-1", refreshToken: "1//rt-ada", on: db).id
        receiver = Self.receiver(database: database, metrics: metrics, coalesceDelay: coalesceDelay)
    }

    static func receiver(database: TestDatabase, metrics: MetricsRegistry, coalesceDelay: Duration = .milliseconds(300)) -> PushReceiver {
        PushReceiver(
            path: "/push/google", pool: ConnectionPool(url: database.url, size: 4), coalesceDelay: coalesceDelay,
            metrics: metrics, logger: Logger(level: .error, handler: InMemoryLogHandler()))
    }

    deinit { database.drop() }

    /// Records an active channel as the keeper would after Google granted it.
    @discardableResult
    func channel(
        _ id: String, calendar: String = "ada@example.com", token: String = "tok-secret-1", resourceID: String = "res-1",
        expiresIn: TimeInterval = 86_400
    ) throws -> String {
        let store = PushChannelStore()
        try store.insertPending(
            channelID: id, accountID: accountID, resource: .init(calendarColumn: calendar),
            tokenSHA256: Digest.hex(Digest.sha256(Array(token.utf8))), on: db)
        try store.activate(channelID: id, resourceID: resourceID, expiresAt: Date().addingTimeInterval(expiresIn), on: db)
        return id
    }

    /// A notification as Google sends it.
    static func notification(
        channel: String, token: String? = "tok-secret-1", resourceID: String = "res-1", state: String = "exists",
        number: Int, extra: [(name: String, value: String)] = []
    ) -> HTTPServerRequest {
        var headers: [(name: String, value: String)] = [
            ("X-Goog-Channel-ID", channel), ("X-Goog-Resource-ID", resourceID), ("X-Goog-Resource-State", state),
            ("X-Goog-Message-Number", String(number)), ("X-Goog-Resource-URI", "https://www.googleapis.com/calendar/v3/calendars/x/events"),
            ("X-Goog-Channel-Expiration", "Tue, 19 Nov 2030 01:13:52 GMT"),
        ]
        if let token { headers.append(("X-Goog-Channel-Token", token)) }
        return HTTPServerRequest(method: "POST", path: "/push/google", headers: headers + extra)
    }

    /// The sync jobs queued so far: (id, args, state, run_at).
    func syncJobs() throws -> [(id: Int64, args: String, state: String, runAt: Date)] {
        try db.query("SELECT id, args::text, state, run_at FROM calworker.jobs WHERE kind = 'sync_account' ORDER BY id").map {
            (try $0.decode(at: 0), try $0.decode(at: 1), try $0.decode(at: 2), try $0.decode(at: 3))
        }
    }

    func channelRow(_ id: String) throws -> PushChannel? {
        try PushChannelStore().channels(accountID: accountID, on: db).first { $0.channelID == id }
    }
}

extension HTTPServerResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
