import Accounts
public import Basics
import Crypto
import Foundation
import LocalCopy
public import Postgres

/// The feeds table: create, list, rotate, delete, and what an export records.
public struct FeedStore: Sendable {
    public init() {}

    /// Why a feed cannot be made as asked.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    static let columns = """
        id, owner, account_id, calendar_id, detail, attendees, name, token, created_at, published_at, content_bytes, events, last_error
        """

    static func feed(_ row: PostgresRow) throws(PostgresError) -> Feed {
        Feed(
            id: try row.decode(at: 0), owner: try row.decode(at: 1), accountID: try row.decodeOptional(at: 2),
            calendarID: try row.decodeOptional(at: 3), detail: try row.decode(at: 4), attendees: try row.decode(at: 5),
            name: try row.decode(at: 6), token: try row.decode(at: 7), createdAt: try row.decode(at: 8),
            publishedAt: try row.decodeOptional(at: 9), contentBytes: try row.decodeOptional(at: 10), events: try row.decodeOptional(at: 11),
            lastError: try row.decodeOptional(at: 12))
    }

    /// 32 random bytes, base64url: 43 characters no one guesses.
    public static func newToken() throws -> String { try Random.urlSafeToken(bytes: 32) }

    /// A feed of `owner`'s calendars merged, or of one of them (`calendar`: account and calendar
    /// id, which must be one of the owner's calendars). Refuses a detail other than busy or full.
    public func create(
        owner: String, calendar: (account: Int64, id: String)?, detail: String, attendees: Bool, name: String?,
        on db: PostgresConnection
    ) throws -> Feed {
        guard ["busy", "full"].contains(detail) else { throw Refusal(description: "detail is busy or full, got '\(detail)'") }
        guard !owner.isEmpty, owner.utf8.count <= 512 else { throw Refusal(description: "owner must be 1 to 512 bytes") }
        if attendees && detail != "full" { throw Refusal(description: "attendees are shown only in a full feed") }
        let label = name ?? (calendar.map { "\(owner): \($0.id)" } ?? "\(owner): all calendars")
        guard !label.isEmpty, label.utf8.count <= 200 else { throw Refusal(description: "name must be 1 to 200 bytes") }
        if let calendar {
            let owned =
                try AccountStore(cipher: nil).owner(of: calendar.account, on: db) == owner
                && EventStore().hasCalendar(accountID: calendar.account, calendarID: calendar.id, on: db)
            guard owned else {
                throw Refusal(
                    description:
                        "account \(calendar.account) of \(owner) has no calendar '\(calendar.id)'; see calworker calendars list --account \(calendar.account)"
                )
            }
        } else {
            guard !(try AccountStore(cipher: nil).ids(owner: owner, on: db)).isEmpty else {
                throw Refusal(description: "no account belongs to owner '\(owner)'; see calworker accounts list")
            }
        }
        return try Self.feed(
            try db.query(
                """
                INSERT INTO calworker.feeds (owner, account_id, calendar_id, detail, attendees, name, token)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING \(Self.columns)
                """, [owner, calendar?.account, calendar?.id, detail, attendees, label, try Self.newToken()])[0])
    }

    public func list(owner: String? = nil, on db: PostgresConnection) throws -> [Feed] {
        try db.query("SELECT \(Self.columns) FROM calworker.feeds WHERE $1::text IS NULL OR owner = $1 ORDER BY id", [owner])
            .map { row throws(PostgresError) in try Self.feed(row) }
    }

    public func feed(id: Int64, on db: PostgresConnection) throws -> Feed? {
        try db.query("SELECT \(Self.columns) FROM calworker.feeds WHERE id = $1", [id]).first.map { row throws(PostgresError) in try Self.feed(row) }
    }

    /// Gives the feed a new token; the caller deletes the old object (its address must stop working).
    /// When the feed's settings last changed (its `changed_at`, as text); nil for no such feed.
    public func changedAt(id: Int64, on db: PostgresConnection) throws -> String? {
        try db.query("SELECT changed_at::text FROM calworker.feeds WHERE id = $1", [id]).first?.decode(String.self, at: 0)
    }

    /// Whether the owner has a feed.
    public func hasFeeds(owner: String, on db: PostgresConnection) throws -> Bool {
        !(try db.query("SELECT 1 FROM calworker.feeds WHERE owner = $1 LIMIT 1", [owner]).isEmpty)
    }

    public func rotate(id: Int64, on db: PostgresConnection) throws -> Feed? {
        try db.query(
            """
            UPDATE calworker.feeds SET token = $2, changed_at = now(), fingerprint = NULL, content_sha256 = NULL, published_at = NULL
             WHERE id = $1 RETURNING \(Self.columns)
            """, [id, try Self.newToken()]
        ).first.map { row throws(PostgresError) in try Self.feed(row) }
    }

    @discardableResult
    public func delete(id: Int64, on db: PostgresConnection) throws(PostgresError) -> Bool {
        try db.execute("DELETE FROM calworker.feeds WHERE id = $1", [id]) == 1
    }
}

extension FeedStore.Refusal: CalworkerError {
    public var errorCode: String { "refused" }
    public var message: String { description }
    /// Refused for what was asked: the same request is refused again.
    public var isRetryable: Bool { false }
}
