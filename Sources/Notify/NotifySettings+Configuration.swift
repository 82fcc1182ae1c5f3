import Basics
public import Configuration
import HTTPClient

extension NotifySettings: ConfigurationSection {
    /// `CALWORKER_SMTP_*`, `CALWORKER_ALERT_*`, the webhook secret, the reconnect link, the
    /// templates and the ledger's claim. What comes from elsewhere (whether backups are
    /// configured, the schedules' periods) is set by whoever wires the sections together.
    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        self.init()
        let url = try reader.string("CALWORKER_SMTP_URL")
        let username = try reader.string("CALWORKER_SMTP_USERNAME")
        let password = try reader.secret("CALWORKER_SMTP_PASSWORD")
        let fromText = try reader.string("CALWORKER_SMTP_FROM")
        let caFile = try reader.string("CALWORKER_SMTP_CA_FILE")
        let tls = try reader.choice("CALWORKER_SMTP_TLS", default: "required", among: ["required", "none"])
        if tls == "none" && !url.isEmpty && !Loopback.isSMTPRelay(url) {
            throw ConfigurationError(
                name: "CALWORKER_SMTP_TLS",
                message: "none is allowed only with an smtp:// relay on loopback (127.0.0.1, ::1, localhost); mail to any other host goes over TLS")
        }
        if !url.isEmpty {
            smtp = SMTPSettings(
                url: url, username: username.isEmpty ? nil : username, password: password, caFile: caFile.isEmpty ? nil : caFile,
                plainTextToLoopback: tls == "none")
        }
        from = MailAddress(fromText)
        alertEmails = try reader.string("CALWORKER_ALERT_EMAIL").split(separator: ",").compactMap { MailAddress(String($0)) }
        alertWebhookURL = try reader.optional("CALWORKER_ALERT_WEBHOOK_URL")
        let secret = try reader.secret("CALWORKER_WEBHOOK_SECRET")
        webhookSecret = secret.isEmpty ? nil : secret
        alertInterval = try reader.duration("CALWORKER_ALERT_INTERVAL", default: alertInterval, in: .seconds(1) ... .seconds(7 * 86_400))
        backupMaxAge = try reader.duration(
            "CALWORKER_ALERT_BACKUP_MAX_AGE", default: backupMaxAge, in: .seconds(60) ... .seconds(366 * 86_400))
        reauthURLTemplate = try reader.webURL(
            "CALWORKER_REAUTH_URL", example: "https://app.example.com/reconnect?account={account_id}")
        syncFailures = try reader.integer("CALWORKER_ALERT_SYNC_FAILURES", default: syncFailures, in: 1...1000)
        syncStale = try reader.duration("CALWORKER_ALERT_SYNC_STALE", default: syncStale, in: .seconds(60) ... .seconds(30 * 86_400))
        discardRate = Double(try reader.integer("CALWORKER_ALERT_DISCARD_PERCENT", default: 10, in: 1...100)) / 100
        discardWindow = try reader.duration("CALWORKER_ALERT_DISCARD_WINDOW", default: discardWindow, in: .seconds(300) ... .seconds(86_400))
        workersGone = try reader.duration("CALWORKER_ALERT_WORKERS_GONE", default: workersGone, in: .seconds(60) ... .seconds(86_400))
        templates = Templates(overrideDirectory: try reader.optional("CALWORKER_TEMPLATE_DIR"))
        claimLease = try reader.duration("CALWORKER_NOTIFY_CLAIM_TIMEOUT", default: claimLease, in: .seconds(1) ... .seconds(86_400))
    }
}
