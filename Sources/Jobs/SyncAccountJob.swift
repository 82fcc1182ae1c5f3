import Accounts
import CalendarSync
import Foundation
import Google
import JobQueue
import Logging
public import Worker

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
        guard case .account(let accountID) = args.target else {
            let ids = try AccountStore(cipher: nil).syncableIDs(on: db)
            let added = try JobQueue().enqueueMany(self, ids.map { Args(.account($0)) }, JobOptions(queue: context.job.queue), on: db)
            context.logger.info("fanned out account syncs", ["accounts": String(ids.count), "enqueued": String(added.count)])
            return .success(JobFigures(["accounts": Double(ids.count), "enqueued": Double(added.count)]))
        }
        let logger = context.logger.with(["account_id": String(accountID)])
        let progress = context.progress()
        let run = AccountSyncRun(accountID: accountID, settings: environment.google, cipher: environment.tokenCipher, db: db,
                                 metrics: context.metrics, now: environment.now(), shouldAbort: { context.isStopped },
                                 progress: { progress.report($0) })
        let outcome: SyncOutcome
        do {
            outcome = try run.run()
        } catch CalendarClientError.stopped {
            try context.checkStop()
            throw CalendarClientError.stopped
        }
        switch outcome {
        case .synced(let report, let mirrors):
            logger.info("account synced", ["calendars": String(report.calendars), "events": String(report.eventsFetched),
                                           "pages": String(report.pages), "full_syncs": String(report.fullSyncs),
                                           "mirror_writes": String(mirrors.inserted + mirrors.patched + mirrors.restored + mirrors.deleted)])
            if let postponed = mirrors.postponed { logger.notice("mirrors postponed", ["reason": postponed]) }
            var figures = Self.figures(report)
            for (key, value) in Self.figures(mirrors).values { figures.set(key, value) }
            return .success(figures)
        case .notSyncable(let reason):
            return .discard(reason: reason)
        case .needsReauth(let reason, let report):
            logger.warning("account needs to be connected again", ["error": reason])
            return .discard(reason: reason, figures: Self.figures(report))
        case .paused(let until, let reason):
            return .retry(after: .seconds(max(1, until.timeIntervalSinceNow)), reason: reason)
        case .quotaExceeded(let until, let reason, let report):
            logger.warning("Google quota exceeded; account paused", ["paused_until": "\(until)"])
            return .retry(after: .seconds(max(1, until.timeIntervalSinceNow)), reason: reason, figures: Self.figures(report))
        case .rateLimited(let after, let reason, let report):
            return .retry(after: after, reason: reason, figures: Self.figures(report))
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
