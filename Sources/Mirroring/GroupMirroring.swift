public import Accounts
public import CalendarProviders
public import Foundation
public import Metrics
public import MirrorPlanner
public import Postgres
import Synchronization

/// What the mirror step did, for the run record.
public struct MirrorReport: Sendable, Equatable {
    public var planned = 0
    public var inserted = 0
    public var patched = 0
    public var restored = 0
    public var deleted = 0
    /// Writes not made because the target account needs re-auth.
    public var skippedNeedsReauth = 0
    /// Writes not made because the target account is at a service this worker does not speak
    /// (a newer worker connected it); a worker that speaks it makes them.
    public var skippedUnknownProvider = 0
    /// Writes not made because the service said the target account is out of quota (it is paused).
    public var skippedQuotaExceeded = 0
    /// Writes refused because the event was not a mirror (a bug elsewhere; never carried out).
    public var refused = 0
    /// 409/412/404 answered by reading the event and converging it.
    public var conflictsResolved = 0
    /// Why nothing was planned, when nothing could be (an incomplete local copy).
    public var postponed: String?

    public init() {}

    /// Adds another lane's counts (not `planned` or `postponed`, which are the whole run's).
    mutating func add(_ other: MirrorReport) {
        inserted += other.inserted
        patched += other.patched
        restored += other.restored
        deleted += other.deleted
        skippedNeedsReauth += other.skippedNeedsReauth
        skippedUnknownProvider += other.skippedUnknownProvider
        skippedQuotaExceeded += other.skippedQuotaExceeded
        refused += other.refused
        conflictsResolved += other.conflictsResolved
    }
}

/// The second half of `sync_account` (docs/sync.md "The state after a sync"): plans the writes that bring every
/// participating calendar of the account's sync group to its desired state, over the group's
/// local copy, and makes them with each target account's own token. One group at a time
/// (a session advisory lock), so two accounts of a group syncing at once do not race.
public final class GroupMirroring {
    let accountID: Int64
    let providers: Providers
    let timeZones: OwnerTimeZones
    let store: AccountStore
    let db: PostgresConnection
    let metrics: MetricsRegistry
    let shouldAbort: @Sendable () -> Bool
    let now: Date
    let progress: (@Sendable ([String: String]) -> Void)?

    public init(
        accountID: Int64, providers: Providers, timeZones: OwnerTimeZones, store: AccountStore, db: PostgresConnection, metrics: MetricsRegistry,
        shouldAbort: @escaping @Sendable () -> Bool, now: Date = Date(), progress: (@Sendable ([String: String]) -> Void)? = nil
    ) {
        self.accountID = accountID
        self.providers = providers
        self.timeZones = timeZones
        self.store = store
        self.db = db
        self.metrics = metrics
        self.shouldAbort = shouldAbort
        self.now = now
        self.progress = progress
    }

    /// The writes the next sync would make, without making them (`calworker sync plan`); with
    /// `policy`, the writes it would make under that policy instead of the stored one (what a
    /// change of policy would do, before it is saved).
    public func plan(policy: MirrorPolicy? = nil) throws -> [MirrorWrite] {
        guard let group = try MirrorRepository.load(accountID: accountID, on: db), group.incomplete.isEmpty else { return [] }
        return try planner(for: group.owner, policy: policy).plan(
            calendars: group.participating, retired: group.retired, events: group.events, checkpoint: stopCheckpoint)
    }

    /// Between planning steps: a job that was cancelled or ran past its timeout stops planning.
    private func stopCheckpoint() throws(ProviderError) {
        if shouldAbort() { throw .stopped(during: "mirror planning") }
    }

    public func run() throws -> MirrorReport {
        guard let owner = try store.owner(of: accountID, on: db) else { return MirrorReport() }
        return try withGroupLock(owner: owner) { try planAndExecute() }
    }

    /// Runs `body` holding the owner's advisory lock (a session lock: a killed job's session
    /// ends and releases it).
    public func withGroupLock<T>(owner: String, _ body: () throws -> T) throws -> T {
        let lock = Int64(
            bitPattern: UInt64(truncatingIfNeeded: owner.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }))
        try db.execute("SELECT pg_advisory_lock($1)", [lock])
        defer { _ = try? db.execute("SELECT pg_advisory_unlock($1)", [lock]) }
        return try body()
    }

    private func planAndExecute() throws -> MirrorReport {
        var report = MirrorReport()
        guard let group = try MirrorRepository.load(accountID: accountID, on: db) else { return report }
        guard group.incomplete.isEmpty else {
            report.postponed = "calendars not fully synced yet: \(group.incomplete.joined(separator: ", "))"
            return report
        }
        let writes = try planner(for: group.owner).plan(
            calendars: group.participating, retired: group.retired, events: group.events, checkpoint: stopCheckpoint)
        return try execute(writes, group: group)
    }

    /// The deletes a reset of this account makes (docs/sync.md "Reset"): every mirror in its
    /// calendars and every mirror of its events elsewhere in its group, from the local copy.
    public func resetPlan() throws -> [MirrorWrite] {
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

    /// Makes `writes` (planned here, or a reset's deletes) with each target account's client.
    public func execute(_ writes: [MirrorWrite]) throws -> MirrorReport {
        guard let group = try MirrorRepository.load(accountID: accountID, on: db) else { return MirrorReport() }
        return try execute(writes, group: group)
    }

    /// One lane per target account, all at once: each lane writes with that account's own
    /// token, request budget and database session, in the planned order (series before their
    /// occurrences, deletions last). A lane whose account needs re-auth, or is out of its
    /// service's quota, skips its writes and the others go on.
    private func execute(_ writes: [MirrorWrite], group: MirrorRepository.Group) throws -> MirrorReport {
        let mirrorSeries = Set(writes.compactMap { $0.mirror?.recurrence != nil ? $0.eventID : nil })
            .union(group.events.filter { $0.isMirror && !($0.recurrence ?? []).isEmpty }.map(\.id))
        let accounts = Dictionary(uniqueKeysWithValues: group.accounts.map { ($0.id, $0) })
        let lanes = Dictionary(grouping: writes, by: \.target.accountID).sorted { $0.key < $1.key }
        let done = WriteProgress(planned: writes.count, report: progress)
        let outcomes = ParallelLanes.run(
            lanes.map { accountID, laneWrites in
                { [self] in
                    try runLane(account: accounts[accountID], accountID: accountID, writes: laneWrites, mirrorSeries: mirrorSeries, done: done)
                }
            })
        var report = MirrorReport()
        report.planned = writes.count
        for outcome in outcomes { report.add(try outcome.get()) }
        return report
    }

    private func runLane(
        account: MirrorRepository.GroupAccount?, accountID: Int64, writes: [MirrorWrite], mirrorSeries: Set<String>,
        done: WriteProgress
    ) throws -> MirrorReport {
        guard let account, account.state == "active" else {
            var skipped = MirrorReport()
            skipped.skippedNeedsReauth = writes.count
            return skipped
        }
        let session = try db.openSibling()
        defer { session.close() }
        let provider: any CalendarProvider
        do {
            provider = try providers.provider(kind: account.provider, forAccount: accountID, session: session, shouldAbort: shouldAbort)
        } catch is UnknownProvider {
            var skipped = MirrorReport()
            skipped.skippedUnknownProvider = writes.count
            return skipped
        }
        let executor = MirrorExecutor(db: session, provider: provider)
        var skipped = MirrorReport()
        for (index, write) in writes.enumerated() {
            if shouldAbort() { throw ProviderError.stopped(during: "mirror writes") }
            do {
                try executor.run(write, mirrorSeries: mirrorSeries)
                done.add(1)
            } catch let error as ProviderError where error.kind == .authRevoked {
                // The target account's credentials were refused: mark it, skip its writes.
                try store.setState(id: accountID, .needsReauth, error: error.description, on: session)
                skipped.skippedNeedsReauth = writes.count - index
                break
            } catch let error as ProviderError where error.kind == .quotaExceeded {
                // Out of quota as the target: pause that account as its own sync would.
                try store.pause(id: accountID, until: Date().addingTimeInterval(3 * 3600), reason: error.description, on: session)
                skipped.skippedQuotaExceeded = writes.count - index
                break
            }
        }
        var report = executor.figures
        report.add(skipped)
        return report
    }

    func planner(for owner: String, policy: MirrorPolicy? = nil) throws -> MirrorPlanner {
        let settings = try MirrorSettings.load(owner: owner, on: db)
        return MirrorPlanner(
            group: owner, rules: SourceRules(now: now, mirrorDays: settings.mirrorDays), busyTitle: settings.busyTitle,
            policy: try policy ?? MirrorPolicyStore.policy(owner: owner, timeZones: timeZones, on: db))
    }
}

/// Counts writes made across lanes and reports them every 50, for the job's progress lines.
final class WriteProgress: Sendable {
    private let planned: Int
    private let made = Mutex(0)
    private let report: (@Sendable ([String: String]) -> Void)?

    init(planned: Int, report: (@Sendable ([String: String]) -> Void)?) {
        self.planned = planned
        self.report = report
    }

    func add(_ count: Int) {
        let total = made.withLock { made in
            made += count
            return made
        }
        if total % 50 == 0 { report?(["mirror_writes": String(total), "mirror_writes_planned": String(planned)]) }
    }
}
