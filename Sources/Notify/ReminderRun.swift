import Basics
public import Foundation
import HTTPClient
public import Metrics
public import Postgres
public import Reminders

/// `notify {"reminders": true}`: for every owner whose channel is not off, the reminders due
/// now (see `ReminderPlanner`), each sent once per occurrence, recipient and channel through
/// the ledger.
public struct ReminderRun {
    let settings: NotifySettings
    let db: PostgresConnection
    let http: HTTPClient
    let now: Date
    /// Asked between owners and between messages: a stopped job stops the run.
    let shouldStop: @Sendable () -> Bool

    public init(
        settings: NotifySettings, db: PostgresConnection, metrics: MetricsRegistry, now: Date, shouldStop: @escaping @Sendable () -> Bool = { false }
    ) {
        self.settings = settings
        self.db = db
        self.http = HTTPClient(service: "webhook", metrics: metrics)
        self.now = now
        self.shouldStop = shouldStop
    }

    public struct Report: Sendable, Equatable {
        public var due = 0
        public var sent = 0
        public var failed = 0
        /// Already sent, or being sent by another worker right now.
        public var suppressedDuplicate = 0
        public var suppressedQuietHours = 0
        public var ownersOff = 0
        /// Claimed by a worker that died before recording the outcome: sent again, same id.
        public var resent = 0
        public var unsupportedSeries: [String] = []
        public var errors: [String] = []
    }

    public func run() throws -> Report {
        var report = Report()
        for owner in try OwnerReminders.owners(on: db) {
            if shouldStop() { throw StopRequested(during: "the reminders run") }
            guard owner.channel != "off" else {
                report.ownersOff += 1
                continue
            }
            let horizon = now.addingTimeInterval(Double(owner.preferences.leadMinutes) * 60 + 86_400)
            let events = try OwnerReminders.events(owner: owner.owner, from: now.addingTimeInterval(-86_400), to: horizon, on: db)
            let plan = ReminderPlanner(preferences: owner.preferences, now: now).plan(events)
            report.suppressedQuietHours += plan.quietHours
            report.unsupportedSeries += plan.unsupported
            report.due += plan.due.count
            for reminder in plan.due {
                if shouldStop() { throw StopRequested(during: "the reminders run") }
                if owner.channel == "email" || owner.channel == "both" { deliver(reminder, owner: owner, channel: "email", report: &report) }
                if owner.channel == "webhook" || owner.channel == "both" { deliver(reminder, owner: owner, channel: "webhook", report: &report) }
            }
        }
        return report
    }

    /// The values a reminder template is filled with.
    public static func values(for reminder: DueReminder, zone: TimeZone) -> [String: String] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE d MMM, HH:mm"
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = zone
        day.dateFormat = "EEEE d MMMM yyyy"
        return [
            "title": reminder.summary, "start": formatter.string(from: reminder.start), "zone": zone.identifier,
            "minutes": String(reminder.minutesBefore), "calendar": reminder.calendarID, "date": day.string(from: reminder.start),
        ]
    }

    private func deliver(_ reminder: DueReminder, owner: OwnerReminders.Owner, channel: String, report: inout Report) {
        let recipient = channel == "email" ? owner.email : owner.webhookURL
        guard let recipient, !recipient.isEmpty else {
            report.errors.append("owner \(owner.owner): no \(channel == "email" ? "e-mail address" : "webhook URL") for reminders")
            report.failed += 1
            return
        }
        let ledger = NotificationLedger(db: db, lease: settings.claimLease)
        do {
            let rendered = try settings.templates.render(
                reminder.allDayDate == nil ? "reminder" : "reminder-allday",
                Self.values(for: reminder, zone: owner.preferences.timeZone))
            guard
                let claim = try ledger.claim(
                    kind: "reminder", key: reminder.key, recipient: recipient, channel: channel,
                    subject: rendered.subject)
            else {
                report.suppressedDuplicate += 1
                return
            }
            if claim.resumed { report.resent += 1 }
            do {
                if channel == "email" {
                    try settings.sendMail(rendered, to: recipient, notificationID: claim.id, date: now)
                } else {
                    try sendWebhook(reminder, owner: owner.owner, to: recipient, notificationID: claim.id)
                }
                try ledger.markSent(claim.id)
                report.sent += 1
            } catch let error as SMTPError {
                try ledger.markFailed(claim.id, error: error.message, permanent: error.kind == .permanent)
                report.failed += 1
                report.errors.append(error.message)
            } catch let error as WebhookSender.Failure {
                try ledger.markFailed(
                    claim.id, error: error.description, permanent: !error.retryable, retryAfter: NotificationLedger.retryAfter(error))
                report.failed += 1
                report.errors.append(error.description)
            }
        } catch {
            report.failed += 1
            report.errors.append("\(error)")
        }
    }

    func sendWebhook(_ reminder: DueReminder, owner: String, to url: String, notificationID: Int64) throws {
        let sender = try settings.webhookSender(http)
        var event: [String: Any] = [
            "calendar_id": reminder.calendarID, "event_id": reminder.eventID, "title": reminder.summary,
            "starts_at": ISO8601DateFormatter().string(from: reminder.start),
        ]
        if let day = reminder.allDayDate { event["date"] = day }
        let payload: [String: Any] = [
            "type": "reminder", "owner": owner, "minutes_before": reminder.minutesBefore, "event": event,
            "occurrence": reminder.key,
        ]
        let body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        try sender.send(to: url, body: body, deliveryID: "calworker.n\(notificationID)", now: now)
    }
}
