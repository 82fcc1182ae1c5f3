import Accounts
public import Foundation
import LocalCopy
public import Postgres
import Redaction

/// The SQL of push channels (`calworker.push_channels`): what the keeper creates and stops,
/// what the receiver checks notifications against, and what operators list.
public struct PushChannelStore: Sendable {
    public init() {}

    static let columns = """
        channel_id, account_id, calendar_id, resource_id, state, expires_at, confirmed_at, last_message_number, last_message_at,
        created_at, ended_at, last_error
        """

    static func channel(_ row: PostgresRow) throws -> PushChannel {
        guard let state = PushChannel.State(rawValue: try row.decode(String.self, at: 4)) else {
            throw PostgresError(.decoding, "push_channels.state holds an unknown state")
        }
        return PushChannel(
            channelID: try row.decode(at: 0), accountID: try row.decode(at: 1),
            resource: .init(calendarColumn: try row.decode(at: 2)), resourceID: try row.decodeOptional(at: 3),
            state: state, expiresAt: try row.decodeOptional(at: 5), confirmedAt: try row.decodeOptional(at: 6),
            lastMessageNumber: try row.decode(at: 7), lastMessageAt: try row.decodeOptional(at: 8),
            createdAt: try row.decode(at: 9), endedAt: try row.decodeOptional(at: 10), lastError: try row.decodeOptional(at: 11))
    }

    /// An account's channels (every account's when nil), newest first; ended ones only when asked.
    public func channels(accountID: Int64?, includeEnded: Bool = true, on db: PostgresConnection) throws -> [PushChannel] {
        try db.query(
            """
            SELECT \(Self.columns) FROM calworker.push_channels
             WHERE ($1::bigint IS NULL OR account_id = $1) AND ($2 OR state IN ('pending', 'active', 'stopping'))
             ORDER BY account_id, created_at DESC, channel_id
            """, [accountID, includeEnded]
        ).map(Self.channel)
    }

    /// Marks a channel Google refused outright (not a timeout or a 5xx) in `last_error`.
    public static let refusedPrefix = "refused: "

    /// Resources of the account whose channel Google refused within `seconds`.
    public func recentlyFailed(accountID: Int64, within seconds: TimeInterval, on db: PostgresConnection) throws -> Set<PushChannel.Resource> {
        Set(
            try db.query(
                """
                SELECT DISTINCT calendar_id FROM calworker.push_channels
                 WHERE account_id = $1 AND state = 'failed' AND ended_at > now() - make_interval(secs => $2) AND starts_with(last_error, $3)
                """, [accountID, seconds, Self.refusedPrefix]
            ).map { PushChannel.Resource(calendarColumn: try $0.decode(String.self, at: 0)) })
    }

    /// Records a channel about to be asked for, before the call: Google's first message can
    /// arrive before its answer, and must find the channel.
    public func insertPending(
        channelID: String, accountID: Int64, resource: PushChannel.Resource, tokenSHA256: String,
        on db: PostgresConnection
    ) throws {
        try db.execute(
            """
            INSERT INTO calworker.push_channels (channel_id, account_id, calendar_id, token_sha256) VALUES ($1, $2, $3, $4)
            """, [channelID, accountID, resource.calendarColumn, tokenSHA256])
    }

    /// Google granted the channel: its resource id and expiration.
    public func activate(channelID: String, resourceID: String, expiresAt: Date, on db: PostgresConnection) throws {
        try db.execute(
            """
            UPDATE calworker.push_channels SET state = 'active', resource_id = $2, expires_at = $3
             WHERE channel_id = $1 AND state = 'pending'
            """, [channelID, resourceID, expiresAt])
    }

    /// Ends a channel: stopped, expired or failed, with why.
    public func end(channelID: String, as state: PushChannel.State, error: String? = nil, on db: PostgresConnection) throws {
        precondition(state == .stopped || state == .expired || state == .failed, "a channel ends stopped, expired or failed")
        try db.execute(
            """
            UPDATE calworker.push_channels SET state = $2, ended_at = now(), last_error = coalesce($3, last_error)
             WHERE channel_id = $1 AND state IN ('pending', 'active', 'stopping')
            """, [channelID, state.rawValue, error.map { Redactor.clean($0, limit: 2000) }])
    }

    /// Accounts whose channels need work within `renewBefore`: a live channel expiring, one
    /// whose account is no longer active, or one to stop again. The hourly `watch_channels` fan-out visits them
    /// (active accounts without channels get theirs from their sync).
    public func accountsNeedingWork(renewBefore: TimeInterval, on db: PostgresConnection) throws -> [Int64] {
        let active = try AccountStore(cipher: nil).activeIDs(on: db)
        return try db.query(
            """
            SELECT DISTINCT c.account_id FROM calworker.push_channels c
             WHERE c.state = 'stopping' OR (c.state IN ('pending', 'active')
               AND (c.expires_at IS NULL OR c.expires_at < now() + make_interval(secs => $1) OR NOT (c.account_id = ANY($2::bigint[]))))
             ORDER BY 1
            """, [renewBefore, active]
        ).map { try $0.decode(Int64.self, at: 0) }
    }

    /// A channel Google confirmed, active and not expired: notifications arrive on it.
    static let healthy = """
        c.state = 'active' AND c.confirmed_at IS NOT NULL AND c.expires_at > now()
        """

    /// Active accounts with a healthy channel for their calendar list and for every calendar
    /// they sync, whose last full sync is younger than `safetyPoll`: the five-minute poll
    /// leaves them to push.
    public func accountsCoveredByPush(safetyPoll: Duration, on db: PostgresConnection) throws -> Set<Int64> {
        let candidates = try AccountStore(cipher: nil).activeIDs(fullySyncedWithin: safetyPoll, on: db)
        return Set(try fullyWatched(candidates, on: db))
    }

    /// Active accounts that lack a healthy channel for their calendar list or a calendar they
    /// sync: they are on five-minute polling (push off, a channel refused, expired, or not
    /// confirmed by Google's first message).
    public func accountsOnPolling(on db: PostgresConnection) throws -> [Int64] {
        let active = try AccountStore(cipher: nil).activeIDs(on: db)
        let watched = Set(try fullyWatched(active, on: db))
        return active.filter { !watched.contains($0) }
    }

    /// Of `accounts`, those with a healthy channel for their calendar list and for every
    /// calendar they sync.
    private func fullyWatched(_ accounts: [Int64], on db: PostgresConnection) throws -> [Int64] {
        guard !accounts.isEmpty else { return [] }
        var healthy: [Int64: Set<String>] = [:]
        for row in try db.query(
            "SELECT c.account_id, c.calendar_id FROM calworker.push_channels c WHERE c.account_id = ANY($1::bigint[]) AND \(Self.healthy)",
            [accounts])
        {
            healthy[try row.decode(Int64.self, at: 0), default: []].insert(try row.decode(String.self, at: 1))
        }
        let calendars = try EventStore().syncedCalendars(accountIDs: accounts, on: db)
        return accounts.filter { id in
            guard let watched = healthy[id], watched.contains("") else { return false }
            return (calendars[id] ?? []).allSatisfy(watched.contains)
        }
    }

    /// Live (pending or active) channels per account, of every account or one.
    public func liveCounts(accountID: Int64? = nil, on db: PostgresConnection) throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for row in try db.query(
            """
            SELECT account_id, count(*) FROM calworker.push_channels
             WHERE state IN ('pending', 'active') AND ($1::bigint IS NULL OR account_id = $1) GROUP BY account_id
            """, [accountID])
        {
            counts[try row.decode(Int64.self, at: 0)] = try row.decode(Int.self, at: 1)
        }
        return counts
    }

    /// Deletes ended channels older than `age`, in batches; returns how many.
    public func prune(olderThan age: Duration, batch: Int = 1000, on db: PostgresConnection) throws(PostgresError) -> Int {
        try db.execute(
            """
            DELETE FROM calworker.push_channels WHERE channel_id IN (
                SELECT channel_id FROM calworker.push_channels WHERE ended_at < now() - $1::interval LIMIT $2)
            """, [age, batch])
    }
}
