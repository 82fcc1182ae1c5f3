public import Accounts
import Basics
public import CalendarProviders
import Crypto
public import Foundation
import LocalCopy
public import Metrics
public import Postgres
import Redaction

/// What one channel upkeep did, for the job's figures and the log.
public struct ChannelReport: Sendable, Equatable {
    /// Channels created, renewals included.
    public var created = 0
    /// Of those, the ones that replaced a channel close to its expiry.
    public var renewed = 0
    public var stopped = 0
    public var expired = 0
    public var failed = 0
    /// Errors worth a retry (Google busy, the network): the job runs again later.
    public var retryableErrors: [String] = []
    /// Errors that will not pass by themselves (the address refused, the account's access gone).
    public var errors: [String] = []
    /// The longest wait Google asked for (longer than an attempt sleeps): the upkeep comes back
    /// after it, not sooner.
    public var requestedWait: Duration?

    public init() {}

    public var didSomething: Bool { created + stopped + expired + failed > 0 }
}

/// Keeps an account's push channels as `ChannelPlanner` says: one live channel for the
/// calendar list and for each calendar it syncs while the account is active and push is
/// configured, none otherwise. New channels are recorded before Google is asked (its first
/// message may come before its answer) and old ones stopped only after their successor exists.
public final class ChannelKeeper {
    let accountID: Int64
    let providers: Providers
    let push: PushSettings?
    let store: AccountStore
    let channels = PushChannelStore()
    let db: PostgresConnection
    let metrics: MetricsRegistry
    let shouldAbort: @Sendable () -> Bool
    private var watcher: (any ChangeWatcher)?

    public init(
        accountID: Int64, providers: Providers, push: PushSettings?, store: AccountStore, db: PostgresConnection, metrics: MetricsRegistry,
        shouldAbort: @escaping @Sendable () -> Bool
    ) {
        self.accountID = accountID
        self.providers = providers
        self.push = push
        self.store = store
        self.db = db
        self.metrics = metrics
        self.shouldAbort = shouldAbort
    }

    /// The resources that should have a channel: none unless push is configured and the
    /// account is active; otherwise its calendar list and every calendar it syncs.
    public func desiredResources() throws -> Set<PushChannel.Resource> {
        guard push != nil else { return [] }
        let account: Account
        do {
            account = try store.account(id: accountID, on: db)
        } catch let error as AccountError where error.code == .notFound {
            return []
        }
        guard account.state == .active else { return [] }
        let calendars = try EventStore().calendarsToSync(accountID: accountID, on: db)
        return Set([.calendarList] + calendars.map { .events(calendarID: $0.calendarID) })
    }

    /// With `stoppingAll`, every channel goes (a reset: the account starts afresh, and its
    /// next sync creates new ones).
    public func plan(now: Date = Date(), stoppingAll: Bool = false) throws -> ChannelPlan {
        let desired = stoppingAll ? [] : try desiredResources()
        // Refusals matter only for what would be asked for; with push off, one query is all.
        let failed = desired.isEmpty ? [] : try channels.recentlyFailed(accountID: accountID, within: ChannelPlan.retryAfterFailure, on: db)
        return ChannelPlan.plan(
            desired: desired, channels: try channels.channels(accountID: accountID, includeEnded: false, on: db), now: now,
            renewBefore: push?.renewBefore ?? PushSettings(address: "").renewBefore, failed: failed)
    }

    /// Carries out the plan, planned and carried out holding the account's lock (`AccountLock`):
    /// two syncs of one account that each found a channel missing used to create it twice.
    /// Throws only for the database; Google's refusals are in the report.
    public func run(now: Date = Date(), stoppingAll: Bool = false) throws -> ChannelReport {
        try AccountLock.holding(accountID, on: db) { try runLocked(now: now, stoppingAll: stoppingAll) }
    }

    private func runLocked(now: Date, stoppingAll: Bool) throws -> ChannelReport {
        let plan = try plan(now: now, stoppingAll: stoppingAll)
        var report = ChannelReport()
        for channel in plan.expired {
            try channels.end(channelID: channel.channelID, as: .expired, on: db)
            report.expired += 1
        }
        for channel in plan.abandoned {
            try channels.end(channelID: channel.channelID, as: .failed, error: "abandoned before Google answered", on: db)
            report.failed += 1
        }
        for (resource, predecessors) in plan.creates.sorted(by: { $0.key < $1.key }) {
            guard try create(resource, now: now, report: &report) else { continue }
            if !predecessors.isEmpty { report.renewed += 1 }
            for channel in predecessors { try stop(channel, report: &report) }
        }
        for channel in plan.stops { try stop(channel, report: &report) }
        let changes = metrics.counter(
            "calworker_push_channel_changes_total",
            help: "Push channels created (renewed: those that replaced one about to expire), stopped, expired or failed.",
            labels: ["change"])
        for (change, count) in [
            ("created", report.created), ("renewed", report.renewed), ("stopped", report.stopped),
            ("expired", report.expired), ("failed", report.failed),
        ]
        where count > 0 {
            changes.labels(change).increment(by: Double(count))
        }
        return report
    }

    /// The account's provider's push side; a service without push has none to create.
    private func changeWatcher() throws -> any ChangeWatcher {
        if let watcher { return watcher }
        let session = try db.openSibling()
        let kind = try store.account(id: accountID, on: session).provider
        let provider = try providers.provider(kind: kind, forAccount: accountID, session: session, shouldAbort: shouldAbort)
        guard let made = provider.watcher else { throw NoPush(accountID: accountID) }
        watcher = made
        return made
    }

    /// Creates one channel; false (with the error in the report) when Google refused.
    private func create(_ resource: PushChannel.Resource, now: Date, report: inout ChannelReport) throws -> Bool {
        guard let push = push else { return false }
        let id = "cw" + Digest.hex(try Random.bytes(16))
        let token = try Random.urlSafeToken(bytes: 24)
        // Google echoes the token in its answers (and a faulty server in its errors): known as
        // a secret from here on, it is masked wherever text leaves this process.
        KnownSecrets.register(token)
        try channels.insertPending(
            channelID: id, accountID: accountID, resource: resource,
            tokenSHA256: Digest.hex(Digest.sha256(Array(token.utf8))), on: db)
        let request = ChannelRequest(id: id, token: token, address: push.address, expiration: now.addingTimeInterval(push.requestedLifetime))
        do {
            let watcher = try changeWatcher()
            let granted =
                switch resource {
                case .calendarList: try watcher.watchCalendarList(request)
                case .events(let calendarID): try watcher.watchEvents(calendarID: calendarID, request)
                }
            try channels.activate(
                channelID: id, resourceID: granted.resourceID,
                expiresAt: granted.expiration ?? now.addingTimeInterval(3600), on: db)
            report.created += 1
            return true
        } catch let error as PostgresError {
            throw error
        } catch {
            // "refused: " marks what will not pass by itself (the address, the account's access),
            // so the resource waits an hour before the next try (`ChannelPlan.retryAfterFailure`).
            let prefix = Self.isRetryable(error) ? "" : PushChannelStore.refusedPrefix
            try channels.end(channelID: id, as: .failed, error: "\(prefix)watch of \(resource): \(error)", on: db)
            report.failed += 1
            record(error, "watch of \(resource)", &report)
            return false
        }
    }

    private func stop(_ channel: PushChannel, report: inout ChannelReport) throws {
        guard let resourceID = channel.resourceID else {
            try channels.end(channelID: channel.channelID, as: .failed, error: "stopped before Google named its resource", on: db)
            return
        }
        do {
            try changeWatcher().stopChannel(id: channel.channelID, resourceID: resourceID)
            try channels.end(channelID: channel.channelID, as: .stopped, on: db)
            report.stopped += 1
        } catch let error as PostgresError {
            throw error
        } catch {
            if Self.isRetryable(error) {
                record(error, "stop of \(channel.channelID)", &report)
                return
            }
            // Google will not take the stop from this account (access revoked): the channel is
            // over for calworker all the same; its messages are answered and never synced.
            try channels.end(channelID: channel.channelID, as: .stopped, error: "channels.stop failed: \(error)", on: db)
            report.stopped += 1
            record(error, "stop of \(channel.channelID)", &report)
        }
    }

    private func record(_ error: any Error, _ what: String, _ report: inout ChannelReport) {
        if Self.isRetryable(error) { report.retryableErrors.append("\(what): \(error)") } else { report.errors.append("\(what): \(error)") }
        if let wait = (error as? any CalworkerError)?.requestedWait { report.requestedWait = max(report.requestedWait ?? .zero, wait) }
    }

    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? ProviderError else { return false }
        switch error.kind {
        case .retryable, .rateLimited, .stopped: return true
        default: return error.requestedWait != nil
        }
    }
}

/// The account's service has no push notifications: it is polled.
struct NoPush: CalworkerError {
    var accountID: Int64
    var errorCode: String { "no_push" }
    var message: String { "account \(accountID)'s calendar service has no push notifications; it is polled instead" }
    var isRetryable: Bool { false }

}
