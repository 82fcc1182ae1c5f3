import Accounts
import CalendarProviders
import CalendarSync
import Foundation
import Google
public import JobArgs
import JobQueue
import LocalCopy
import Logging
import Metrics
import Mirroring
import Push
public import Worker

/// `sync_account`: brings one account's local copy of its calendars and events up to date
/// (docs/sync.md). `{"account_id": "all"}` fans out one job per active account instead, which is
/// what cron runs every five minutes; each per-account job has the unique key
/// `sync_account:ID`, so a slow sync is never joined by a second one.
public struct SyncAccountJob: JobHandler {
    public typealias Target = AccountTarget
    public typealias Args = SyncAccountArgs

    public static let figureMetrics = [
        FigureMetric(
            figure: "events_fetched", metric: "calworker_sync_events_fetched_total",
            help: "Events (and tombstones) fetched from Google and stored in the local copy."),
        FigureMetric(figure: "pages", metric: "calworker_sync_pages_total", help: "events.list pages fetched."),
        FigureMetric(
            figure: "full_syncs", metric: "calworker_sync_full_syncs_total",
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

    /// Attempts of each account's sync a fan-out queues. The next fan-out comes in five
    /// minutes, so a broken account's job ends after three tries about a minute apart (the
    /// queue's backoff from 15 s) and its failures reach the alerts in minutes, not after the
    /// default 20 attempts' two and a half days, during which its unique key kept cron's
    /// next fan-out from queueing it again.
    public static let fannedOutAttempts = 3

    public func run(_ args: Args, context: JobContext) throws -> JobResult {
        let db = try context.database()
        guard case .account(let accountID) = args.target else {
            var ids = try AccountStore(cipher: nil).syncableIDs(on: db)
            // With push, accounts whose channels all work are synced by their notifications;
            // the poll visits them once per safety interval, for notifications that got lost.
            let covered = try environment.push.map { try PushChannelStore().accountsCoveredByPush(safetyPoll: $0.safetyPoll, on: db) } ?? []
            ids.removeAll { covered.contains($0) }
            let added = try JobQueue().enqueueMany(
                self, ids.map { Args(.account($0)) },
                JobOptions(queue: context.job.queue, maxAttempts: Self.fannedOutAttempts), on: db)
            context.logger.info(
                "fanned out account syncs",
                [
                    "accounts": String(ids.count), "enqueued": String(added.count),
                    "left_to_push": String(covered.count),
                ])
            var figures = JobFigures(["accounts": Double(ids.count), "enqueued": Double(added.count)])
            if environment.push != nil { figures.set("left_to_push", Double(covered.count)) }
            return .success(figures)
        }
        let logger = context.logger.with(["account_id": String(accountID)])
        let progress = context.progress()
        let run = AccountSyncRun(
            accountID: accountID, calendarID: args.calendarID, engine: environment.syncEngine(metrics: context.metrics), db: db,
            metrics: context.metrics, now: environment.now(), shouldAbort: { context.isStopped },
            progress: { progress.report($0) })
        let outcome: SyncOutcome
        do {
            outcome = try run.run()
        } catch let error as ProviderError where error.kind == .stopped {
            try context.checkStop()
            throw error
        }
        switch outcome {
        case .synced(let report, let mirrors, let channels):
            logger.info(
                "account synced",
                [
                    "calendars": String(report.calendars), "events": String(report.eventsFetched),
                    "pages": String(report.pages), "full_syncs": String(report.fullSyncs),
                    "mirror_writes": String(mirrors.inserted + mirrors.patched + mirrors.restored + mirrors.deleted),
                ])
            if let postponed = mirrors.postponed { logger.notice("mirrors postponed", ["reason": postponed]) }
            if report.eventsFetched > 0 {
                do {
                    try IcsExportJob.afterSync(accountID: accountID, queue: context.job.queue, environment: environment, on: db)
                } catch {
                    // The scheduled export catches up; the sync itself succeeded.
                    logger.warning("feed export not queued", ["error": "\(error)"])
                }
            }
            var figures = Self.figures(report)
            for (key, value) in Self.figures(mirrors).values { figures.set(key, value) }
            if args.viaPush, let notified = try? PushInbox().notifiedAt(jobID: context.job.id, on: db) {
                context.metrics.histogram(
                    "calworker_push_notification_to_mirror_seconds",
                    help: "From a push notification recorded to its calendar synced and the group's busy blocks written.",
                    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300]
                ).labels().observe(max(0, Date().timeIntervalSince(notified)))
            }
            if let channels {
                logger.info(
                    "push channels kept",
                    [
                        "created": String(channels.created), "stopped": String(channels.stopped),
                        "expired": String(channels.expired), "failed": String(channels.failed),
                    ])
                for error in channels.errors + channels.retryableErrors { logger.warning("push channel trouble", ["error": error]) }
                for (key, value) in WatchChannelsJob.figures(channels).values { figures.set(key, value) }
            }
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
        JobFigures([
            "mirrors_planned": Double(mirrors.planned), "mirrors_inserted": Double(mirrors.inserted),
            "mirrors_patched": Double(mirrors.patched), "mirrors_restored": Double(mirrors.restored),
            "mirrors_deleted": Double(mirrors.deleted), "mirror_writes_skipped_needs_reauth": Double(mirrors.skippedNeedsReauth),
            "mirror_writes_skipped_unknown_provider": Double(mirrors.skippedUnknownProvider),
            "mirror_writes_skipped_quota_exceeded": Double(mirrors.skippedQuotaExceeded),
            "mirror_writes_refused": Double(mirrors.refused), "mirror_conflicts_resolved": Double(mirrors.conflictsResolved),
        ])
    }

    static func figures(_ report: SyncReport) -> JobFigures {
        var figures = JobFigures([
            "calendars": Double(report.calendars), "full_syncs": Double(report.fullSyncs),
            "pages": Double(report.pages), "events_fetched": Double(report.eventsFetched),
            "token_refreshes": Double(report.tokenRefreshes), "backoffs": Double(report.backoffs),
            "bytes": Double(report.bytes),
        ])
        for (call, count) in report.calls {
            // "events.list 200" -> "api_events_list_200"
            let key = "api_" + call.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: " ", with: "_")
            figures.set(key, Double(count))
        }
        return figures
    }
}
