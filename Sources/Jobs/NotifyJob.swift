import Basics
import Foundation
public import JobArgs
import JobQueue
import Logging
import Notify
public import Worker

/// `notify`: reminders and operator alerts.
///
/// - `{"reminders": true}` (cron, every minute or five): every reminder due now, each sent once
///   per event occurrence, recipient and channel.
/// - `{"alerts": true}` (cron, every five minutes): finds what operators must hear of (jobs
///   discarded, accounts needing re-authorization, failed or stale backups), and sends one
///   digest of everything new, at most every `CALWORKER_ALERT_INTERVAL`.
/// - `{"alert": {"subject": S, "detail": D, "key": K}}`: raises one alert (once per key) for
///   the next digest, and makes sure a digest job is queued.
public struct NotifyJob: JobHandler {
    public typealias Args = NotifyArgs

    let environment: JobEnvironment
    public let timeout: Duration = .seconds(600)

    public init(environment: JobEnvironment) { self.environment = environment }

    public static let figureMetrics: [FigureMetric] = [
        FigureMetric(figure: "sent", metric: "calworker_notifications_sent_total", help: "Reminders and alert digests sent."),
        FigureMetric(figure: "failed", metric: "calworker_notifications_failed_total", help: "Messages that could not be sent (retried)."),
        FigureMetric(
            figure: "suppressed_duplicate", metric: "calworker_notifications_suppressed_duplicate_total",
            help: "Reminders already sent or being sent by another worker."),
        FigureMetric(
            figure: "suppressed_quiet_hours", metric: "calworker_notifications_held_in_quiet_time_total",
            help: "Reminders held back by quiet hours."),
        FigureMetric(figure: "alerts_raised", metric: "calworker_alerts_raised_total", help: "Operator alerts recorded."),
    ]

    public func run(_ args: Args, context: JobContext) throws -> JobResult {
        let db = try context.database()
        if let alert = args.alert {
            let key = alert.key ?? "explicit:" + alert.subject + ":" + (alert.detail ?? "")
            let new = try AlertRun.raise(key: key, subject: alert.subject, detail: alert.detail ?? "", on: db)
            _ = try JobQueue().enqueue(self, Args(alerts: true), JobOptions(queue: context.job.queue), on: db)
            return .success(JobFigures(["alerts_raised": new ? 1 : 0]))
        }
        if args.alerts == true {
            let report = try AlertRun(settings: environment.notify, db: db, metrics: context.metrics).run()
            for error in report.errors { context.logger.warning("alert digest problem", ["error": error]) }
            let figures = JobFigures([
                "alerts_raised": Double(report.raised), "alerts_pending": Double(report.pending),
                "sent": Double(report.digestsSent), "failed": Double(report.failed),
                "reauth_notices_sent": Double(report.reauthNoticesSent),
            ])
            if report.failed > 0 && report.digestsSent == 0 { throw AlertFailure(reason: report.errors.joined(separator: "; ")) }
            if let next = report.nextDigestAt {
                return .retry(after: .seconds(max(1, next.timeIntervalSinceNow)), reason: "alerts wait for the digest interval", figures: figures)
            }
            return .success(figures)
        }
        let report = try ReminderRun(
            settings: environment.notify, db: db, metrics: context.metrics, now: environment.now(), shouldStop: { context.isStopped }
        ).run()
        for series in report.unsupportedSeries { context.logger.notice("series not reminded: rule not supported", ["series": series]) }
        for error in Set(report.errors) { context.logger.warning("reminder not sent", ["error": error]) }
        let figures = JobFigures([
            "due": Double(report.due), "sent": Double(report.sent), "failed": Double(report.failed),
            "suppressed_duplicate": Double(report.suppressedDuplicate),
            "suppressed_quiet_hours": Double(report.suppressedQuietHours), "owners_off": Double(report.ownersOff),
            "resent_after_crash": Double(report.resent),
        ])
        return .success(figures)
    }

    /// No recipient received the digest; the job is retried, and the alerts wait for it.
    struct AlertFailure: CalworkerError {
        var reason: String
        var errorCode: String { "alert_digest_failed" }
        var message: String { "no alert digest could be sent: \(reason)" }
        var isRetryable: Bool { true }
    }
}
