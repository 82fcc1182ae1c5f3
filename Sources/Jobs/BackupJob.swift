public import Backup
import Foundation
public import JobArgs
public import JobQueue
import Logging
public import Media
public import Worker

/// `backup`: an encrypted backup of the database, verified by restoring it, then retention.
///
/// `{"target": "s3://backups/calworker/", "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 6}`
/// (the target defaults to `CALWORKER_BACKUP_TARGET`). The backup counts only once its
/// manifest is written, after verification: a run killed at any point leaves no half backup
/// counted, and its leftovers are removed by a later run's retention. A backup that fails
/// verification is kept, marked failed, and the job is discarded with the reason (it alerts
/// through the discarded-jobs alert); retention runs only after a verified backup.
public struct BackupJob: JobHandler {
    public typealias Args = BackupArgs

    let environment: JobEnvironment
    public let timeout: Duration = .seconds(6 * 3600)

    public init(environment: JobEnvironment) { self.environment = environment }

    public static let figureMetrics: [FigureMetric] = [
        FigureMetric(figure: "backup_bytes", metric: "calworker_backup_bytes_total", help: "Sealed backup bytes stored."),
        FigureMetric(figure: "dump_bytes", metric: "calworker_backup_dump_bytes_total", help: "pg_dump output bytes backed up."),
        FigureMetric(figure: "verified", metric: "calworker_backups_verified_total", help: "Backups that passed their restore test."),
        FigureMetric(
            figure: "verification_failed", metric: "calworker_backups_verification_failed_total",
            help: "Backups that failed their restore test."),
        FigureMetric(figure: "retention_deleted", metric: "calworker_backups_deleted_total", help: "Backups removed by retention."),
    ]

    /// A backup as it will run: the target resolved (the job's, else `CALWORKER_BACKUP_TARGET`)
    /// and written one way, and the retention.
    public struct Plan: Sendable {
        /// Nil when neither the job nor the configuration names one.
        public var target: MediaLocation?
        public var policy: RetentionPolicy
    }

    public func validate(_ args: Args) throws(JobArgsError) -> Plan {
        try args.validate()
        var target: MediaLocation?
        if let text = args.target ?? environment.backup.target {
            do {
                target = try BackupCatalog.prefix(text)
            } catch {
                throw JobArgsError("target: \(error.message)")
            }
            do throws(MediaError) {
                // As the worker's store will: a file:// target must lie under the media root.
                if let target { try MediaStores.check(target, mediaRoot: environment.media.mediaRoot) }
            } catch {
                throw JobArgsError("target: \(error.message)")
            }
        }
        return Plan(target: target, policy: RetentionPolicy(daily: args.keepDaily ?? 7, weekly: args.keepWeekly ?? 4, monthly: args.keepMonthly ?? 6))
    }

    /// One backup per target at a time, however the target was written (`s3://b/p` or
    /// `s3://b/p/`, named by the job or by the configuration).
    public func defaultUniqueKey(for args: Args, checked plan: Plan) -> String? { "backup:\(plan.target?.description ?? "")" }

    public func subject(for args: Args, checked plan: Plan) -> String? { plan.target.map { "backup:\($0)" } }

    public func run(_ plan: Plan, context: JobContext) throws -> JobResult {
        var settings = environment.backup
        settings.media = environment.media
        guard let target = plan.target?.description else {
            return .discard(reason: "no backup target: give {\"target\": \"s3://bucket/prefix/\"} or set CALWORKER_BACKUP_TARGET")
        }
        let stores = MediaStores(settings: settings.media, metrics: context.metrics, shouldAbort: { context.isStopped })
        let catalog = try BackupCatalog(stores: stores, target: target)
        let policy = plan.policy
        let progress = context.progress()
        let runner = BackupRun(
            settings: settings, stores: stores, catalog: catalog, shouldAbort: { context.isStopped },
            progress: { progress.report($0) })
        let outcome: BackupRun.Outcome
        do {
            outcome = try settings.withSession(fallback: try context.database()) { db in try runner.run(on: db, policy: policy) }
        } catch let error as BackupError where error.kind == .failed && context.isStopped {
            try context.checkStop()
            throw error
        }
        let logger = context.logger.with(["backup_id": outcome.manifest.id])
        if let failure = outcome.manifest.verification?.error {
            logger.error("backup failed verification", ["error": failure])
            return .discard(reason: "backup \(outcome.manifest.id) failed verification: \(failure)", figures: JobFigures(outcome.figures))
        }
        logger.notice(
            "backup verified",
            [
                "bytes": String(outcome.manifest.ciphertextBytes),
                "deleted_by_retention": String(outcome.deleted),
            ])
        return .success(JobFigures(outcome.figures))
    }
}
