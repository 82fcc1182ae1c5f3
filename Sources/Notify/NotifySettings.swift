import Foundation
import HTTPClient

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
    /// How long a claimed message is held before another worker may send it again (a worker
    /// that died mid-send): longer than an SMTP or webhook attempt may take. Default 5 min.
    public var claimLease: Duration = .seconds(300)

    public init() {}
}
