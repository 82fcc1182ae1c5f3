public import Accounts
import Foundation
public import Metrics
public import MirrorPlanner
public import Postgres

/// docs/sync.md "Reset": deletes every mirror calworker wrote into the account's calendars and
/// every mirror of the account's events elsewhere in its group, then clears the account's
/// local sync state (calendars, events, sync tokens) so its next sync starts afresh.
/// Only events carrying `calworkerMirror` are deleted; nothing the user wrote is touched.
public final class AccountReset {
    let accountID: Int64
    let mirroring: GroupMirroring
    let channels: ChannelKeeper
    let db: PostgresConnection

    public init(
        accountID: Int64, engine: SyncEngine, store: AccountStore, db: PostgresConnection, metrics: MetricsRegistry,
        shouldAbort: @escaping @Sendable () -> Bool
    ) {
        self.accountID = accountID
        self.db = db
        self.mirroring = GroupMirroring(
            accountID: accountID, engine: engine, store: store, db: db, metrics: metrics,
            shouldAbort: shouldAbort)
        self.channels = ChannelKeeper(
            accountID: accountID, engine: engine, store: store, db: db, metrics: metrics,
            shouldAbort: shouldAbort)
    }

    /// The deletes a reset makes (from the local copy), for a dry run and for `run`.
    public func plan() throws -> [MirrorWrite] {
        guard let group = try MirrorRepository.load(accountID: accountID, on: db) else { return [] }
        let own = Set(
            group.participating.filter { $0.accountID == accountID }.map(\.calendarID)
                + group.retired.filter { $0.accountID == accountID }.map(\.calendarID))
        let calendars = Dictionary((group.participating + group.retired).map { ($0.calendarID, $0) }, uniquingKeysWith: { first, _ in first })
        var writes: [MirrorWrite] = []
        for event in group.events where event.isMirror && !event.isCancelled && !event.isInstance {
            let sourceCalendar = event.mirrorSource.flatMap { $0.split(separator: "/", maxSplits: 1).first.map(String.init) }
            let inOwnCalendar = event.accountID == accountID && own.contains(event.calendarID)
            let ofOwnEvent = sourceCalendar.map { own.contains($0) } ?? false
            guard inOwnCalendar || ofOwnEvent, let target = calendars[event.calendarID] else { continue }
            writes.append(MirrorWrite(action: .delete, target: target, eventID: event.id, ifMatch: event.etag))
        }
        return writes
    }

    /// Deletes the mirrors, stops the account's push channels, then forgets its local copy.
    /// Returns what was deleted.
    public func run() throws -> MirrorReport {
        guard let owner: String = try db.query("SELECT owner FROM calworker.accounts WHERE id = $1", [accountID]).first?.decode(at: 0) else {
            return MirrorReport()
        }
        let report = try mirroring.withGroupLock(owner: owner) { try mirroring.execute(try plan()) }
        _ = try channels.run(stoppingAll: true)
        try db.transaction { db in
            try db.execute("DELETE FROM calworker.calendars WHERE account_id = $1", [accountID])
            try db.execute("UPDATE calworker.accounts SET calendar_list_sync_token = NULL, last_synced_at = NULL WHERE id = $1", [accountID])
        }
        return report
    }
}
