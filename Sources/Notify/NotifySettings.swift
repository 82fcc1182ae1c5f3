import Foundation
public import HTTPClient

/// What notifications need from the configuration (`CALWORKER_SMTP_*`, `CALWORKER_ALERT_*`).
public struct NotifySettings: Sendable {
    /// Nil: no e-mail can be sent (reminders by e-mail fail and say so).
    public var smtp: SMTPSettings?
    /// The sender, `calworker <calendar@example.com>`.
    public var from: MailAddress?
    /// Operators who get alert digests by e-mail.
    public var alertEmails: [MailAddress] = []
    /// Where alert digests are POSTed, if anywhere.
    public var alertWebhookURL: String?
    /// Signs every webhook; webhooks are not sent without it.
    public var webhookSecret: String?
    public var templates = Templates()
    /// At most one alert digest per interval: a burst of failures sends one message.
    public var alertInterval: Duration = .seconds(15 * 60)
    /// A newest verified backup older than this alerts (when backups are configured).
    public var backupMaxAge: Duration = .seconds(36 * 3600)
    public var backupsConfigured = false
    /// The link in the "reconnect your calendar" notice to an account's owner, with
    /// `{account_id}` and `{email}` filled in (`CALWORKER_REAUTH_URL`); nil: no notice is sent.
    public var reauthURLTemplate: String?
    /// An active account whose syncs failed this many times in a row alerts.
    public var syncFailures = 3
    /// An active account without a successful sync for this long alerts.
    public var syncStale: Duration = .seconds(30 * 60)
    /// More than this share of the attempts in `discardWindow` ending with their job
    /// discarded alerts, once there are at least `discardMinimumAttempts` of them.
    public var discardRate = 0.10
    public var discardWindow: Duration = .seconds(3600)
    /// Fewer attempts say too little: two discards of three are not a trend.
    public static let discardMinimumAttempts = 20
    /// No worker alive for this long alerts (checked outside the workers).
    public var workersGone: Duration = .seconds(300)
    /// Each scheduled definition's longest normal gap between fires, in seconds, by name
    /// (`jobs/`): a definition without a fire for twice that alerts. Called by the alert run
    /// only, since reading the definitions and their schedules takes a moment.
    public var schedulePeriods: @Sendable () -> [String: Double] = { [:] }
    /// How long a claimed message is held before another worker may send it again (a worker
    /// that died mid-send): longer than an SMTP or webhook attempt may take. Default 5 min.
    public var claimLease: Duration = .seconds(300)

    public init() {}
}

extension NotifySettings {
    /// Sends a rendered message for ledger row `notificationID`; its Message-ID comes from that
    /// row, so a message sent again after a crash carries the same id.
    func sendMail(_ rendered: Templates.Rendered, to recipient: String, notificationID: Int64, date: Date) throws {
        guard let smtp, let from else {
            throw SMTPError(kind: .transient, message: "e-mail is not configured: set CALWORKER_SMTP_URL and CALWORKER_SMTP_FROM")
        }
        guard let to = MailAddress(recipient) else { throw SMTPError(kind: .permanent, message: "'\(recipient)' is not an e-mail address") }
        let message = MailMessage(
            from: from, to: [to], subject: rendered.subject, text: rendered.text, html: rendered.html,
            messageID: "calworker.n\(notificationID)@\(from.domain)", date: date)
        try SMTPClient(settings: smtp).send(from: from.address, to: [to.address], message: message.rendered())
    }

    /// The webhook sender, or a retryable failure when no secret is configured to sign with.
    func webhookSender(_ http: HTTPClient) throws -> WebhookSender {
        guard let webhookSecret, !webhookSecret.isEmpty else {
            throw WebhookSender.Failure(retryable: true, description: "webhooks are not configured: set CALWORKER_WEBHOOK_SECRET")
        }
        return WebhookSender(http: http, secret: webhookSecret)
    }
}
