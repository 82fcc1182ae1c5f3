import Accounts
import Basics
import CalendarProviders
public import Foundation
public import LocalCopy
public import Metrics
public import Mirroring
public import Postgres
public import Push

/// How one sync of an account ended, for the job to map onto the queue's outcomes. The
/// account's state (needs re-auth, paused, last error) is already recorded when it returns.
public enum SyncOutcome: Sendable {
    /// The local copy and the group's mirrors are up to date; the push channels were looked
    /// after too (nil when nothing needed doing).
    case synced(SyncReport, MirrorReport, ChannelReport?)
    /// Nothing to do for this account: gone, disabled, waiting for re-auth, or its tokens
    /// cannot be read here (no token key).
    case notSyncable(String)
    /// The service refused the account's credentials; the account is now `needs_reauth`.
    case needsReauth(String, SyncReport)
    /// Paused by an earlier exhausted quota: nothing before `until`.
    case paused(until: Date, reason: String)
    /// The service said the account's quota is spent; the account is now paused until `until`.
    case quotaExceeded(until: Date, reason: String, SyncReport)
    /// The service asked to slow down; try again after `after`.
    case rateLimited(after: Duration, reason: String, SyncReport)
}

/// One `sync_account` of one account (docs/sync.md): the local copy, then the group's mirrors,
/// through the account's provider (`SyncEngine`). It applies what the service's answers mean
/// for the account itself (re-auth, quota pause, the last error) and says how it went.
public struct AccountSyncRun {
    let accountID: Int64
    /// Only this calendar's events (a push notification named it), then the group's mirrors.
    let calendarID: String?
    let engine: SyncEngine
    let store: AccountStore
    let db: PostgresConnection
    let metrics: MetricsRegistry
    let now: Date
    let shouldAbort: @Sendable () -> Bool
    let progress: (@Sendable ([String: String]) -> Void)?

    /// How long quotaExceeded pauses an account (docs/sync.md "Faults the sync survives").
    public static let quotaPause: TimeInterval = 3 * 3600

    public init(
        accountID: Int64, calendarID: String? = nil, engine: SyncEngine, db: PostgresConnection,
        metrics: MetricsRegistry, now: Date, shouldAbort: @escaping @Sendable () -> Bool,
        progress: (@Sendable ([String: String]) -> Void)? = nil
    ) {
        self.accountID = accountID
        self.calendarID = calendarID
        self.engine = engine
        self.store = AccountStore(cipher: nil)
        self.db = db
        self.metrics = metrics
        self.now = now
        self.shouldAbort = shouldAbort
        self.progress = progress
    }

    /// Runs the sync. Throws a `ProviderError` of kind `.stopped` when asked to stop, and any other
    /// failure (after recording it as the account's last error) for the queue to retry.
    public func run() throws -> SyncOutcome {
        let account: Account
        do {
            account = try store.account(id: accountID, on: db)
        } catch let error as AccountError where error.code == .notFound {
            return .notSyncable(error.message)
        }
        switch account.state {
        case .disabled: return .notSyncable("account \(accountID) is disabled")
        case .needsReauth: return .notSyncable("account \(accountID) needs to be connected again (needs_reauth)")
        case .active: break
        }
        if let until = account.pausedUntil, until > Date() {
            return .paused(until: until, reason: "account \(accountID) is paused until \(until) (\(account.provider) quota)")
        }
        let sync: AccountSync
        do {
            // Its own session: see `AccountSync.init`.
            let provider = try engine.providers.provider(
                kind: account.provider, forAccount: accountID, session: try db.openSibling(), shouldAbort: shouldAbort)
            sync = AccountSync(accountID: accountID, provider: provider, db: db, progress: progress)
        } catch let error as AccountError where error.code == .noKey {
            return .notSyncable("this worker has no CALWORKER_TOKEN_KEY: \(error.message)")
        } catch let error as UnknownProvider {
            return .notSyncable(error.message)
        }
        do {
            let report = try withAccountLock { try sync.run(onlyCalendar: calendarID) }
            let mirrors = try GroupMirroring(
                accountID: accountID, providers: engine.providers, timeZones: engine.timeZones, store: store, db: db,
                metrics: metrics, shouldAbort: shouldAbort, now: now, progress: progress
            ).run()
            try store.recordSync(id: accountID, error: nil, full: calendarID == nil, on: db)
            return .synced(report, mirrors, keepChannelsReporting())
        } catch let failure as ProviderError where failure.kind == .authRevoked {
            try store.setState(id: accountID, .needsReauth, error: failure.description, on: db)
            _ = try? keepChannels()
            return .needsReauth(failure.description, sync.report)
        } catch let error as ProviderError where error.kind == .quotaExceeded {
            let until = Date().addingTimeInterval(Self.quotaPause)
            try store.pause(id: accountID, until: until, reason: error.description, on: db)
            return .quotaExceeded(until: until, reason: "quota exceeded; paused for 3 hours", sync.report)
        } catch let error as any CalworkerError where error.isRetryable && error.requestedWait != nil {
            // The service (its API or its token endpoint) asked for a longer wait than an attempt
            // sleeps, and the account's budget is paused until then: come back after it.
            return .rateLimited(after: error.requestedWait ?? .seconds(60), reason: error.description, sync.report)
        } catch let error as ProviderError {
            if case .rateLimited(let after) = error.kind {
                return .rateLimited(after: max(.seconds(30), after ?? .seconds(60)), reason: "rate limited: \(error)", sync.report)
            }
            if error.kind != .stopped { try? store.recordSync(id: accountID, error: "\(error)", on: db) }
            throw error
        } catch {
            try? store.recordSync(id: accountID, error: "\(error)", on: db)
            throw error
        }
    }

    /// Brings the account's push channels in line when they need it (a calendar came or
    /// went, a channel is due for renewal, the account stopped being active). Channel trouble
    /// never fails the sync: the hourly `watch_channels` run tries again, and polling covers
    /// an account without channels.
    private func keepChannels() throws -> ChannelReport? {
        let keeper = ChannelKeeper(
            accountID: accountID, providers: engine.providers, push: engine.push, store: store, db: db, metrics: metrics,
            shouldAbort: shouldAbort)
        guard try !keeper.plan().isEmpty else { return nil }
        return try keeper.run()
    }

    /// `keepChannels`, its own failure (the database, say) reported instead of thrown: the sync
    /// itself succeeded and is recorded as such.
    private func keepChannelsReporting() -> ChannelReport? {
        do {
            return try keepChannels()
        } catch {
            var report = ChannelReport()
            report.retryableErrors.append("channel upkeep failed: \(error)")
            return report
        }
    }

    /// Runs the local-copy part holding the account's lock (`AccountLock`): a cron sync and a
    /// notified sync of one account never write the same calendar at once.
    private func withAccountLock<T>(_ body: () throws -> T) throws -> T {
        try AccountLock.holding(accountID, on: db, body)
    }
}
