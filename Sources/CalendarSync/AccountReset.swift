public import Accounts
import Foundation
import LocalCopy
public import Metrics
public import MirrorPlanner
public import Mirroring
public import Postgres
import Push

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
            accountID: accountID, providers: engine.providers, timeZones: engine.timeZones, store: store, db: db, metrics: metrics,
            shouldAbort: shouldAbort)
        self.channels = ChannelKeeper(
            accountID: accountID, providers: engine.providers, push: engine.push, store: store, db: db, metrics: metrics,
            shouldAbort: shouldAbort)
    }

    /// The deletes a reset makes (from the local copy), for a dry run and for `run`.
    public func plan() throws -> [MirrorWrite] { try mirroring.resetPlan() }

    /// Deletes the mirrors, stops the account's push channels, then forgets its local copy.
    /// Returns what was deleted.
    public func run() throws -> MirrorReport {
        let accounts = AccountStore(cipher: nil)
        guard let owner = try accounts.owner(of: accountID, on: db) else { return MirrorReport() }
        let report = try mirroring.withGroupLock(owner: owner) { try mirroring.execute(try plan()) }
        _ = try channels.run(stoppingAll: true)
        try db.transaction { db in
            try EventStore().forget(accountID: accountID, on: db)
            try accounts.forgetSyncState(id: accountID, on: db)
        }
        return report
    }
}
