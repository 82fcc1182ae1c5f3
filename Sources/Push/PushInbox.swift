import Accounts
import Basics
import Crypto
public import Foundation
import JobArgs
public import JobQueue
public import Postgres

/// A notification from Google as the receiver read it from the `X-Goog-*` headers (already
/// checked for shape; nothing here is trusted until `PushInbox` matched it to a channel).
public struct PushMessage: Sendable, Equatable {
    public enum ResourceState: String, Sendable {
        /// The channel works (the first message of every channel).
        case sync
        /// The resource changed.
        case exists
        /// The resource is gone (Google documents it; Calendar sends it rarely).
        case notExists = "not_exists"
    }

    public var channelID: String
    public var token: String?
    public var resourceID: String
    public var state: ResourceState
    public var messageNumber: Int64

    public init(channelID: String, token: String?, resourceID: String, state: ResourceState, messageNumber: Int64) {
        self.channelID = channelID
        self.token = token
        self.resourceID = resourceID
        self.state = state
        self.messageNumber = messageNumber
    }
}

/// What became of one notification.
public enum PushReceipt: Sendable, Equatable {
    /// A sync of the resource was queued (job id).
    case enqueued(Int64)
    /// A queued sync of the resource had not started yet: it will see this change too.
    case coalesced(Int64)
    /// The channel's first message: it works.
    case confirmed
    /// The channel's latest message again (Google redelivered after a lost answer).
    case duplicate
    /// A number below the channel's latest: delivered out of order, or after a forged number
    /// raised the latest. Synced all the same (job id), so no number can blind a channel.
    case outOfOrder(Int64)
    /// A number further ahead of the latest than Google's steps go: synced (job id), the latest
    /// kept where it was, and the channel renewed (a new token, numbering from 1), since whoever
    /// sent it may hold the channel's token.
    case jumped(Int64)
    /// No channel of ours has this id.
    case unknownChannel
    /// Ours, but stopped, expired, or its account no longer active: answered, never synced.
    case stoppedChannel
    /// Ours and stopped, yet Google still sends on it: answered, never synced, and queued to
    /// be stopped again (the channel is `stopping`).
    case stopAgain
    /// The token or the resource id does not match the channel: not from Google.
    case forged(String)

    /// The metric label.
    public var outcome: String {
        switch self {
        case .enqueued: "enqueued"
        case .coalesced: "coalesced"
        case .confirmed: "confirmed"
        case .duplicate: "duplicate"
        case .outOfOrder: "out_of_order"
        case .jumped: "jumped"
        case .unknownChannel: "unknown_channel"
        case .stoppedChannel, .stopAgain: "stopped_channel"
        case .forged: "forged"
        }
    }
}

/// Records notifications: matches each to its channel, and for a change queues a sync of
/// the calendar (or the calendar list) in the same transaction that records the message
/// number, so a notification the receiver acknowledged is never lost, and a redelivered one
/// is never synced twice. Notifications for one resource share one waiting sync (`push_syncs`).
public struct PushInbox: Sendable {
    public init() {}

    /// The largest step between a channel's message numbers taken as Google's. Google documents
    /// only that they increase and are not sequential; a step past a million from the latest is
    /// treated as a forgery or an anomaly (`PushReceipt.jumped`), not as the new latest.
    public static let largestStep: Int64 = 1_000_000

    public func record(
        _ message: PushMessage, coalesceDelay: Duration, on db: PostgresConnection, queue: JobQueue = JobQueue()
    ) throws -> PushReceipt {
        try db.transaction { db in
            guard
                let row = try db.query(
                    """
                    SELECT c.account_id, c.calendar_id, c.resource_id, c.token_sha256,
                           c.state IN ('pending', 'active') AND (c.expires_at IS NULL OR c.expires_at > now()),
                           c.last_message_number, c.state = 'stopped' AND c.resource_id IS NOT NULL
                      FROM calworker.push_channels c
                     WHERE c.channel_id = $1 FOR UPDATE
                    """, [message.channelID]
                ).first
            else { return .unknownChannel }
            let accountID: Int64 = try row.decode(at: 0)
            let calendarColumn: String = try row.decode(at: 1)
            let resourceID: String? = try row.decodeOptional(at: 2)
            let presented = Digest.hex(Digest.sha256(Array((message.token ?? "").utf8)))
            guard Digest.constantTimeEquals(Array(presented.utf8), Array(try row.decode(String.self, at: 3).utf8)) else {
                return .forged("the channel token does not match")
            }
            if let resourceID, resourceID != message.resourceID { return .forged("the resource id does not match the channel's") }
            let active = try AccountStore(cipher: nil).isActive(id: accountID, on: db)
            guard try row.decode(Bool.self, at: 4) && active else {
                guard try row.decode(Bool.self, at: 6) && active else { return .stoppedChannel }
                try db.execute("UPDATE calworker.push_channels SET state = 'stopping' WHERE channel_id = $1", [message.channelID])
                _ = try queue.enqueue(WatchChannelsArgs(.account(accountID)), on: db)
                return .stopAgain
            }
            let latest: Int64 = try row.decode(at: 5)
            if message.messageNumber == latest { return .duplicate }
            if message.messageNumber < latest {
                // Not the latest again: a change the channel's stored number must not hide.
                try db.execute("UPDATE calworker.push_channels SET last_message_at = now() WHERE channel_id = $1", [message.channelID])
                return .outOfOrder(
                    try queueSync(accountID: accountID, calendarColumn: calendarColumn, delay: coalesceDelay, on: db, queue: queue).id)
            }
            if message.messageNumber - latest > Self.largestStep {
                // Implausible: sync, keep the latest where it was, and have the channel replaced
                // within the hour (a new token; its numbers start again).
                try db.execute(
                    """
                    UPDATE calworker.push_channels SET last_message_at = now(), expires_at = least(expires_at, now() + interval '1 hour')
                     WHERE channel_id = $1
                    """, [message.channelID])
                _ = try queue.enqueue(WatchChannelsArgs(.account(accountID)), on: db)
                return .jumped(
                    try queueSync(accountID: accountID, calendarColumn: calendarColumn, delay: coalesceDelay, on: db, queue: queue).id)
            }
            try db.execute(
                """
                UPDATE calworker.push_channels
                   SET last_message_number = $2, last_message_at = now(), resource_id = coalesce(resource_id, $3),
                       confirmed_at = coalesce(confirmed_at, now())
                 WHERE channel_id = $1
                """, [message.channelID, message.messageNumber, message.resourceID])
            guard message.state != .sync else { return .confirmed }
            let sync = try queueSync(accountID: accountID, calendarColumn: calendarColumn, delay: coalesceDelay, on: db, queue: queue)
            return sync.coalesced ? .coalesced(sync.id) : .enqueued(sync.id)
        }
    }

    /// When the notification that queued this job was recorded (nil for a job no
    /// notification queued), for the notification-to-mirror latency.
    public func notifiedAt(jobID: Int64, on db: PostgresConnection) throws -> Date? {
        try db.query("SELECT notified_at FROM calworker.push_syncs WHERE job_id = $1", [jobID]).first?.decode(at: 0)
    }

    /// The waiting sync of this resource, or a new one. A sync that has started (or failed
    /// once) may have read past this change, so it does not count as waiting.
    private func queueSync(
        accountID: Int64, calendarColumn: String, delay: Duration, on db: PostgresConnection, queue: JobQueue
    ) throws -> (id: Int64, coalesced: Bool) {
        try db.execute(
            """
            INSERT INTO calworker.push_syncs (account_id, calendar_id) VALUES ($1, $2) ON CONFLICT DO NOTHING
            """, [accountID, calendarColumn])
        let queued: Int64? = try db.query(
            "SELECT job_id FROM calworker.push_syncs WHERE account_id = $1 AND calendar_id = $2 FOR UPDATE",
            [accountID, calendarColumn]
        ).first?.decodeOptional(at: 0)
        if let queued, try queue.isWaitingForItsFirstAttempt(id: queued, on: db) { return (queued, true) }
        let sync = SyncAccountArgs(.account(accountID), calendarID: calendarColumn.isEmpty ? nil : calendarColumn, viaPush: true)
        let jobID = try queue.enqueue(sync, JobOptions(runAt: Date().addingTimeInterval(delay.seconds)), on: db).id
        try db.execute(
            """
            UPDATE calworker.push_syncs SET job_id = $3, notified_at = now() WHERE account_id = $1 AND calendar_id = $2
            """, [accountID, calendarColumn, jobID])
        return (jobID, false)
    }
}
