import Accounts
import CalendarSync
import Configuration
import Foundation
import Google
public import JobArgs
public import JobQueue
import Logging
import Media
import Mirroring
import Postgres
public import Worker

/// `cleanup`: retention for what calworker accumulates, and account resets.
///
/// `{}` (cron, hourly) keeps the run history: creates its partitions for the days ahead and
/// drops whole days older than `runs_after` (default `CALWORKER_HISTORY_RETENTION`, 30d). It
/// prunes, in batches of `batch` rows (default 1,000) each in its own short transaction so it
/// never holds long locks, cancelled events (tombstones) after `tombstones_after` (30d, past any
/// sync token's lifetime), workers silent for `workers_after` (1d), sent notifications and
/// carried alerts after `notifications_after` (30d), schedule fires after 30d (the newest per
/// definition stays), and with `thumbnails: PREFIX` thumbnails whose photo is gone; and moves
/// into the history any finished job an older worker left in the claim table. Live jobs
/// (queued, retrying, running) are never touched, however old. `completed_after` and
/// `discarded_after` are accepted and unused: finished jobs leave the claim table at once.
///
/// `{"account_id": N, "reset": true}` resets an account instead (docs/sync.md "Reset").
public struct CleanupJob: JobHandler {
    public typealias Args = CleanupArgs

    let environment: JobEnvironment
    public let timeout: Duration = .seconds(1800)

    public init(environment: JobEnvironment) { self.environment = environment }

    public static let figureMetrics: [FigureMetric] = [
        FigureMetric(figure: "rows_removed", metric: "calworker_cleanup_rows_removed_total", help: "Rows the cleanup job pruned, all tables.")
    ]

    /// What one cleanup job does.
    public enum Work: Sendable {
        case retention(Retention)
        case reset(accountID: Int64)
    }

    public func validate(_ args: Args) throws(JobArgsError) -> Work {
        try args.validate()
        if let id = args.resetAccountID { return .reset(accountID: id) }
        return .retention(try Retention(args, history: environment.historyRetention))
    }

    public func run(_ work: Work, context: JobContext) throws -> JobResult {
        let db = try context.database()
        switch work {
        case .retention(let retention): return try prune(retention, db: db, context: context)
        case .reset(let accountID): return try reset(accountID: accountID, db: db, context: context)
        }
    }

    private func prune(_ retention: Retention, db: PostgresConnection, context: JobContext) throws -> JobResult {
        let stores = MediaStores(settings: environment.media, metrics: context.metrics, shouldAbort: { context.isStopped })
        return .success(try Pruner(retention: retention, db: db, stores: stores, context: context).run())
    }

    private func reset(accountID: Int64, db: PostgresConnection, context: JobContext) throws -> JobResult {
        let store = AccountStore(cipher: environment.tokenCipher)
        let reset = AccountReset(
            accountID: accountID, engine: environment.syncEngine(metrics: context.metrics), store: store, db: db, metrics: context.metrics,
            shouldAbort: { context.isStopped })
        let report = try reset.run()
        context.logger.with(["account_id": String(accountID)])
            .notice("account reset", ["mirrors_deleted": String(report.deleted), "skipped_needs_reauth": String(report.skippedNeedsReauth)])
        let figures = JobFigures([
            "mirrors_deleted": Double(report.deleted), "mirror_writes_skipped_needs_reauth": Double(report.skippedNeedsReauth),
            "mirror_writes_refused": Double(report.refused),
        ])
        if report.skippedNeedsReauth > 0 {
            // Mirrors in accounts that need re-auth cannot be deleted now; they stay until then.
            return .retry(after: .seconds(3600), reason: "\(report.skippedNeedsReauth) mirror(s) sit in accounts needing re-auth", figures: figures)
        }
        return .success(figures)
    }
}

extension CleanupJob {
    /// The retention periods, checked.
    public struct Retention: Sendable {
        /// No longer used: finished jobs leave the claim table when they finish. Still read,
        /// so definitions and queued jobs that give them keep working.
        var completed: Duration
        var discarded: Duration
        var runs: Duration
        var tombstones: Duration
        var workers: Duration
        var notifications: Duration
        var thumbnails: MediaLocation?
        var batch: Int

        init(_ args: Args, history: Duration) throws(JobArgsError) {
            func period(_ text: String?, _ name: String, _ fallback: Duration) throws(JobArgsError) -> Duration {
                guard let text else { return fallback }
                do {
                    return try DurationText.parse(text, in: .seconds(60)...DurationText.maximum)
                } catch {
                    throw JobArgsError("\(name): \(error.description)")
                }
            }
            completed = try period(args.completedAfter, "completed_after", .seconds(7 * 86_400))
            discarded = try period(args.discardedAfter, "discarded_after", .seconds(30 * 86_400))
            runs = try period(args.runsAfter, "runs_after", history)
            tombstones = try period(args.tombstonesAfter, "tombstones_after", .seconds(30 * 86_400))
            workers = try period(args.workersAfter, "workers_after", .seconds(86_400))
            notifications = try period(args.notificationsAfter, "notifications_after", .seconds(30 * 86_400))
            batch = args.batch ?? 1000
            guard (1...100_000).contains(batch) else { throw JobArgsError("batch is from 1 to 100000, got \(batch)") }
            if let prefix = args.thumbnails {
                do {
                    thumbnails = try MediaLocation(prefix)
                } catch {
                    throw JobArgsError("thumbnails: \(error.message)")
                }
                if case .http = thumbnails! { throw JobArgsError("thumbnails: an HTTP server cannot be listed; use s3:// or file://") }
            }
        }
    }
}
