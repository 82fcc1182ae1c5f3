import Accounts
import CalendarSync
import Foundation
import Google
import JobQueue
import Worker

/// `sync_account`: brings one account's local copy of its calendars and events up to date
/// (SYNC.md). `{"account_id": "all"}` fans out one job per active account instead, which is
/// what cron runs every five minutes; each per-account job has the unique key
/// `sync_account:ID`, so a slow sync is never joined by a second one.
public struct SyncAccountJob: JobHandler {
    public enum Target: Sendable, Equatable {
        case account(Int64)
        case all
    }

    public struct Args: Codable, Sendable {
        public var target: Target

        public init(_ target: Target) { self.target = target }

        enum CodingKeys: String, CodingKey { case accountID = "account_id" }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch target {
            case .account(let id): try container.encode(id, forKey: .accountID)
            case .all: try container.encode("all", forKey: .accountID)
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let id = try? container.decode(Int64.self, forKey: .accountID) {
                target = .account(id)
            } else if let text = try? container.decode(String.self, forKey: .accountID), text == "all" {
                target = .all
            } else {
                throw DecodingError.dataCorruptedError(forKey: .accountID, in: container,
                                                       debugDescription: "account_id must be an account's id (a number) or \"all\"")
            }
        }
    }

    public static let kind = "sync_account"
    public static let figureMetrics = [
        FigureMetric(figure: "events_fetched", metric: "calworker_sync_events_fetched_total",
                     help: "Events (and tombstones) fetched from Google and stored in the local copy."),
        FigureMetric(figure: "pages", metric: "calworker_sync_pages_total", help: "events.list pages fetched."),
        FigureMetric(figure: "full_syncs", metric: "calworker_sync_full_syncs_total",
                     help: "Calendars listed in full (first sync, or after 410 fullSyncRequired)."),
        FigureMetric(figure: "bytes", metric: "calworker_sync_received_bytes_total", help: "Bytes received from the Calendar API."),
        FigureMetric(figure: "mirrors_inserted", metric: "calworker_mirrors_inserted_total", help: "Busy-block mirrors written anew."),
        FigureMetric(figure: "mirrors_patched", metric: "calworker_mirrors_patched_total", help: "Mirrors brought back to their source's state."),
        FigureMetric(figure: "mirrors_restored", metric: "calworker_mirrors_restored_total", help: "Cancelled mirrors made live again."),
        FigureMetric(figure: "mirrors_deleted", metric: "calworker_mirrors_deleted_total", help: "Mirrors whose source went away."),
    ]

    let environment: JobEnvironment
    public let timeout: Duration

    public init(environment: JobEnvironment, timeout: Duration = .seconds(1800)) {
        self.environment = environment
        self.timeout = timeout
    }

    public func validate(_ args: Args) throws(JobArgsError) -> Args {
        if case .account(let id) = args.target, id <= 0 { throw JobArgsError("account_id must be positive, got \(id)") }
        return args
    }

    public func defaultUniqueKey(for args: Args) -> String? {
        switch args.target {
        case .account(let id): "sync_account:\(id)"
        case .all: "sync_account:all"
        }
    }

    public func run(_ args: Args, context: JobContext) throws -> JobResult {
        let db = try context.database()
        let store = AccountStore(cipher: environment.tokenCipher)
        guard case .account(let accountID) = args.target else {
            let ids = try store.syncableIDs(on: db)
            let added = try JobQueue().enqueueMany(self, ids.map { Args(.account($0)) }, JobOptions(queue: context.job.queue), on: db)
            context.logger.info("fanned out account syncs", ["accounts": String(ids.count), "enqueued": String(added.count)])
            return .success(JobFigures(["accounts": Double(ids.count), "enqueued": Double(added.count)]))
        }
        let account: Account
        do {
            account = try store.account(id: accountID, on: db)
        } catch let error as AccountError where error.code == .notFound {
            return .discard(reason: error.message)
        }
        switch account.state {
        case .disabled: return .discard(reason: "account \(accountID) is disabled")
        case .needsReauth: return .discard(reason: "account \(accountID) needs to be connected again (needs_reauth)")
        case .active: break
        }
        if let until = account.pausedUntil, until > Date() {
            return .retry(after: .seconds(until.timeIntervalSinceNow), reason: "account \(accountID) is paused until \(until) (Google quota)")
        }
        let logger = context.logger.with(["account_id": String(accountID)])
        let progress = context.progress()
        let sync: AccountSync
        do {
            sync = try AccountSync(accountID: accountID, settings: environment.google, store: store, db: db, metrics: context.metrics,
                                   shouldAbort: { context.isStopped }, progress: { progress.report($0) })
        } catch let error as AccountError where error.code == .noKey {
            // This worker cannot read any token; retrying here cannot help (cron enqueues the
            // next sync, which a worker with the key will run).
            return .discard(reason: "this worker has no CALWORKER_TOKEN_KEY: \(error.message)")
        }
        do {
            let report = try sync.run()
            let mirroring = GroupMirroring(accountID: accountID, settings: environment.google, store: store, db: db,
                                           metrics: context.metrics, shouldAbort: { context.isStopped }, now: environment.now(),
                                           progress: { progress.report($0) })
            let mirrors = try mirroring.run()
            try store.recordSync(id: accountID, error: nil, on: db)
            logger.info("account synced", ["calendars": String(report.calendars), "events": String(report.eventsFetched),
                                           "pages": String(report.pages), "full_syncs": String(report.fullSyncs),
                                           "mirror_writes": String(mirrors.inserted + mirrors.patched + mirrors.restored + mirrors.deleted)])
            if let postponed = mirrors.postponed {
                logger.notice("mirrors postponed", ["reason": postponed])
            }
            var figures = Self.figures(report)
            for (key, value) in Self.figures(mirrors).values { figures.set(key, value) }
            return .success(figures)
        } catch let failure as SyncFailure {
            try store.setState(id: accountID, .needsReauth, error: failure.description, on: db)
            logger.warning("account needs to be connected again", ["error": failure.description])
            return .discard(reason: failure.description, figures: Self.figures(sync.report))
        } catch CalendarClientError.api(let error) where error.isQuotaExceeded {
            let until = Date().addingTimeInterval(3 * 3600)
            try store.pause(id: accountID, until: until, reason: error.description, on: db)
            logger.warning("Google quota exceeded; account paused", ["paused_until": "\(until)"])
            return .retry(after: .seconds(3 * 3600), reason: "quota exceeded; paused for 3 hours", figures: Self.figures(sync.report))
        } catch CalendarClientError.api(let error) where error.isRateLimit {
            return .retry(after: .seconds(max(30, error.retryAfter ?? 60)), reason: "rate limited: \(error)",
                          figures: Self.figures(sync.report))
        } catch CalendarClientError.stopped {
            try context.checkStop()
            throw CalendarClientError.stopped
        } catch {
            try? store.recordSync(id: accountID, error: "\(error)", on: db)
            throw error
        }
    }

    static func figures(_ mirrors: MirrorReport) -> JobFigures {
        JobFigures(["mirrors_planned": Double(mirrors.planned), "mirrors_inserted": Double(mirrors.inserted),
                    "mirrors_patched": Double(mirrors.patched), "mirrors_restored": Double(mirrors.restored),
                    "mirrors_deleted": Double(mirrors.deleted), "mirror_writes_skipped_needs_reauth": Double(mirrors.skippedNeedsReauth),
                    "mirror_writes_skipped_quota_exceeded": Double(mirrors.skippedQuotaExceeded),
                    "mirror_writes_refused": Double(mirrors.refused), "mirror_conflicts_resolved": Double(mirrors.conflictsResolved)])
    }

    static func figures(_ report: SyncReport) -> JobFigures {
        var figures = JobFigures(["calendars": Double(report.calendars), "full_syncs": Double(report.fullSyncs),
                                  "pages": Double(report.pages), "events_fetched": Double(report.eventsFetched),
                                  "token_refreshes": Double(report.tokenRefreshes), "backoffs": Double(report.backoffs),
                                  "bytes": Double(report.bytes)])
        for (call, count) in report.calls {
            // "events.list 200" -> "api_events_list_200"
            let key = "api_" + call.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: " ", with: "_")
            figures.set(key, Double(count))
        }
        return figures
    }
}
