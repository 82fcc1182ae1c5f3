import Accounts
import Foundation
import Google
import HTTPClient
import Metrics
import MirrorPlanner
import Postgres

/// What the mirror step did, for the run record.
public struct MirrorReport: Sendable, Equatable {
    public var planned = 0
    public var inserted = 0
    public var patched = 0
    public var restored = 0
    public var deleted = 0
    /// Writes not made because the target account needs re-auth.
    public var skippedNeedsReauth = 0
    /// Writes refused because the event was not a mirror (a bug elsewhere; never carried out).
    public var refused = 0
    /// 409/412/404 answered by reading the event and converging it.
    public var conflictsResolved = 0
    /// Why nothing was planned, when nothing could be (an incomplete local copy).
    public var postponed: String?
}

/// The second half of `sync_account` (SYNC.md "Mirrors"): plans the writes that bring every
/// participating calendar of the account's sync group to its desired state, over the group's
/// local copy, and makes them with each target account's own token. One group at a time
/// (a session advisory lock), so two accounts of a group syncing at once do not race.
public final class GroupMirroring {
    let accountID: Int64
    let settings: GoogleSettings
    let store: AccountStore
    let db: PostgresConnection
    let metrics: MetricsRegistry
    let shouldAbort: @Sendable () -> Bool
    let now: Date
    private var clients: [Int64: CalendarClient?] = [:]

    public init(accountID: Int64, settings: GoogleSettings, store: AccountStore, db: PostgresConnection, metrics: MetricsRegistry,
                shouldAbort: @escaping @Sendable () -> Bool, now: Date = Date()) {
        self.accountID = accountID
        self.settings = settings
        self.store = store
        self.db = db
        self.metrics = metrics
        self.shouldAbort = shouldAbort
        self.now = now
    }

    /// The writes the next sync would make, without making them (`calworker sync plan`).
    public func plan() throws -> [MirrorWrite] {
        guard let group = try MirrorRepository.load(accountID: accountID, on: db), group.incomplete.isEmpty else { return [] }
        return try planner(for: group.owner).plan(calendars: group.participating, retired: group.retired, events: group.events)
    }

    public func run() throws -> MirrorReport {
        guard let owner: String = try db.query("SELECT owner FROM calworker.accounts WHERE id = $1", [accountID]).first?.decode(at: 0) else {
            return MirrorReport()
        }
        return try withGroupLock(owner: owner) { try planAndExecute() }
    }

    /// Runs `body` holding the owner's advisory lock (a session lock: a killed job's session
    /// ends and releases it).
    func withGroupLock<T>(owner: String, _ body: () throws -> T) throws -> T {
        let lock = Int64(bitPattern: UInt64(truncatingIfNeeded: owner.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }))
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
        let writes = try planner(for: group.owner).plan(calendars: group.participating, retired: group.retired, events: group.events)
        return try execute(writes, group: group)
    }

    /// Makes `writes` (planned here, or a reset's deletes) with each target account's client.
    func execute(_ writes: [MirrorWrite]) throws -> MirrorReport {
        guard let group = try MirrorRepository.load(accountID: accountID, on: db) else { return MirrorReport() }
        return try execute(writes, group: group)
    }

    private func execute(_ writes: [MirrorWrite], group: MirrorRepository.Group) throws -> MirrorReport {
        var refusedTokens = 0
        let mirrorSeries = Set(writes.compactMap { $0.mirror?.recurrence != nil ? $0.eventID : nil })
            .union(group.events.filter { $0.isMirror && !($0.recurrence ?? []).isEmpty }.map(\.id))
        let states = Dictionary(uniqueKeysWithValues: group.accounts.map { ($0.id, $0.state) })
        let executor = MirrorExecutor(db: db) { [unowned self] id in try self.client(for: id, state: states[id]) }
        for write in writes {
            if shouldAbort() { throw CalendarClientError.stopped }
            do {
                try executor.run([write], mirrorSeries: mirrorSeries)
            } catch CalendarClientError.accessToken(let underlying) where underlying is SyncFailure {
                // The target account's refresh token was refused: mark it, skip its writes.
                try store.setState(id: write.target.accountID, .needsReauth, error: "\(underlying)", on: db)
                clients[write.target.accountID] = .some(nil)
                refusedTokens += 1
            }
        }
        var report = executor.figures
        report.planned = writes.count
        report.skippedNeedsReauth += refusedTokens
        return report
    }

    func planner(for owner: String) throws -> MirrorPlanner {
        let row = try db.query("SELECT busy_title, mirror_days FROM calworker.owner_settings WHERE owner = $1", [owner]).first
        let title: String = try row?.decodeOptional(at: 0) ?? "Busy"
        let days: Int = try row?.decodeOptional(at: 1) ?? 90
        return MirrorPlanner(group: owner, rules: SourceRules(now: now, mirrorDays: days), busyTitle: title)
    }

    /// The client writing as account `id`, nil when it cannot (needs re-auth, disabled).
    private func client(for id: Int64, state: String?) throws -> CalendarClient? {
        if let cached = clients[id] { return cached }
        guard state == "active" else {
            clients[id] = .some(nil)
            return nil
        }
        let oauth = OAuthClient(tokenURL: settings.tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret,
                                http: HTTPClient(service: "google_oauth", metrics: metrics))
        let tokens = try StoredAccessTokens(accountID: id, store: store, db: try db.openSibling(), oauth: oauth, shouldAbort: shouldAbort)
        let client = CalendarClient(apiURL: settings.apiURL, http: HTTPClient(service: "google", metrics: metrics), tokens: tokens,
                                    budget: RequestBudget(perMinute: settings.requestsPerMinute), shouldAbort: shouldAbort)
        clients[id] = client
        return client
    }
}
