import Basics
public import Foundation

/// Everything calworker reads from its environment, with the defaults that make a local run
/// work without any setting. Secrets may come from a file named by `NAME_FILE` (the
/// container-secrets convention); `calworker config` shows where each value came from.
public struct Configuration: Sendable {
    /// One setting as an operator sees it.
    public struct Entry: Sendable, Equatable, Codable {
        public var name: String
        public var value: String
        /// `default`, `env` or `file:PATH`.
        public var source: String
        public var secret: Bool
    }

    /// libpq connection string or URI. Empty means libpq's own defaults (PGHOST, PGDATABASE, ...).
    public var databaseURL = ""
    /// `session` (default: a direct connection or a session-mode pooler) or `transaction`
    /// (PgBouncer pool_mode=transaction): then workers poll instead of LISTEN and no named
    /// prepared statements are used.
    public var databasePooler = "session"
    /// Time to establish a database session. Default 10 s.
    public var databaseConnectTimeout: Duration = .seconds(10)
    /// Longest one of calworker's statements may run (the server cancels it; with no answer at
    /// all, the client gives up a few seconds later). Default 60 s.
    public var databaseStatementTimeout: Duration = .seconds(60)
    /// Longest a statement waits for a lock. Default 10 s.
    public var databaseLockTimeout: Duration = .seconds(10)
    public var googleAPIURL = "https://www.googleapis.com/calendar/v3"
    public var googleTokenURL = "https://oauth2.googleapis.com/token"
    public var googleClientID = ""
    public var googleClientSecret = ""
    /// Base64 of 32 random bytes; encrypts OAuth tokens at rest.
    public var tokenKey = ""
    /// Earlier token keys, comma-separated, still accepted for decryption until
    /// `calworker accounts rotate-key` has re-encrypted every token under `tokenKey`.
    public var tokenKeyPrevious = ""
    /// The per-account request budget calworker allows itself, below Google's 600 per minute
    /// per user, so a big sync slows down instead of hitting the limit. Default 500.
    public var googleRequestsPerMinute = 500
    /// The OAuth project's budget, shared by every account and worker, below Google's 10,000
    /// requests a minute per project. Default 9,000; 0 turns it off.
    public var googleProjectRequestsPerMinute = 9000
    /// With push, an account whose channels are all healthy is polled only when its last
    /// full sync is older than this (the safety net for lost notifications). Default 1 h.
    public var pushSafetyPoll: Duration = .seconds(3600)
    /// The public HTTPS URL of the push receiver (a worker's `--http-addr` or `calworker
    /// receive`, behind a reverse proxy). Empty: no push channels, syncs come from polling.
    public var pushURL = ""
    /// The S3-compatible endpoint (path-style); empty means AWS in `s3Region`.
    public var s3Endpoint = ""
    /// The region S3 requests are signed for. Default `us-east-1`.
    public var s3Region = "us-east-1"
    public var s3AccessKeyID = ""
    public var s3SecretAccessKey = ""
    /// The folder `file://` media locations must lie under; empty refuses them all.
    public var mediaRoot = ""
    /// The largest photo a job downloads. Default 50 MiB.
    public var mediaMaxBytes = 50 << 20
    /// The most pixels a photo may claim before it is refused unread. Default 200 million.
    public var thumbnailMaxPixels = 200_000_000
    /// The console's operator token: logs in and may act. Empty: no console.
    public var consoleToken = ""
    /// The console's read-only token: sees everything, changes nothing.
    public var consoleReadOnlyToken = ""
    /// `on` when the console is served behind HTTPS: its session cookie is then `Secure`.
    public var consoleSecureCookies = false
    /// The reverse proxies (addresses or networks, comma-separated) whose `X-Forwarded-For`
    /// names the console's client. Empty: the TCP peer is the client.
    public var consoleTrustedProxies = ""
    /// How long run history is kept: the cleanup job drops whole days older than this.
    /// Default 30 days.
    public var historyRetention: Duration = .seconds(30 * 86_400)
    /// Base64 of 32 random bytes; seals backups. Kept away from the backups themselves.
    public var backupKey = ""
    /// Earlier backup keys, comma-separated, for verifying and restoring older backups.
    public var backupKeyPrevious = ""
    /// Where backups go when a job or command names no target (`s3://…/` or `file:///…/`).
    public var backupTarget = ""
    /// The connection backups are made and verified with, when workers connect as a role that
    /// cannot read every table or create the scratch database a verification restores into
    /// (runbooks/database-roles.md). Empty: the worker's own connection.
    public var backupDatabaseURL = ""
    /// Where iCalendar feeds are published: `s3://bucket/feeds/` or a `file://` folder under
    /// `CALWORKER_MEDIA_ROOT`. Empty: no feeds.
    public var feedsTarget = ""
    /// The public address the feeds target is served under (a CDN, the bucket's website), for
    /// the addresses `calworker feeds` prints. Empty: the target's own location.
    public var feedsURL = ""
    /// The folder a backup's sealed dump (and a restore's plain one) waits in. Default: the temporary folder.
    public var backupSpool = ""
    /// The folder with pg_dump and pg_restore; empty finds the newest installed PostgreSQL.
    public var pgBin = ""
    /// `smtp://host:587` (STARTTLS required) or `smtps://host:465`; empty: no e-mail.
    public var smtpURL = ""
    public var smtpUsername = ""
    public var smtpPassword = ""
    /// The sender of reminders and alerts, `calworker <calendar@example.com>`.
    public var smtpFrom = ""
    /// An extra CA bundle for the SMTP server's certificate (verification stays on).
    public var smtpCAFile = ""
    /// `required` (the default: STARTTLS or smtps://) or `none`, for an smtp:// relay on
    /// loopback only.
    public var smtpTLS = "required"
    /// Operators' addresses for alert digests, comma-separated.
    public var alertEmail = ""
    public var alertWebhookURL = ""
    /// Signs every webhook (HMAC-SHA256).
    public var webhookSecret = ""
    /// At most one alert digest per this. Default 15 min.
    public var alertInterval: Duration = .seconds(15 * 60)
    /// Alert when the newest verified backup is older. Default 36 h.
    public var alertBackupMaxAge: Duration = .seconds(36 * 3600)
    /// The link in the "reconnect your calendar" notice to an account's owner, with
    /// `{account_id}` and `{email}` filled in; empty: no notice.
    public var reauthURL = ""
    /// Alert when an active account's syncs failed this many times in a row. Default 3.
    public var alertSyncFailures = 3
    /// Alert when an active account has not synced successfully for this long. Default 30 min:
    /// push or the five-minute poll keeps a healthy account far fresher.
    public var alertSyncStale: Duration = .seconds(30 * 60)
    /// Alert when more than this percentage of the attempts in `alertDiscardWindow` (at least
    /// 20 of them) ended with their job discarded. Default 10.
    public var alertDiscardPercent = 10
    /// The window the discard rate is taken over. Default 1 h, as the Prometheus rule's.
    public var alertDiscardWindow: Duration = .seconds(3600)
    /// Alert when no worker has been alive for this long (no heartbeat; or none registered
    /// while jobs have waited as long). Checked where workers are not: the scheduler's loop
    /// and `calworker notify check`. Default 5 min.
    public var alertWorkersGone: Duration = .seconds(300)
    /// How long a claimed notification is held before another worker may send it. Default 5 min.
    public var notifyClaimTimeout: Duration = .seconds(300)
    /// Operators' own message templates, file by file; empty: the built-in ones.
    public var templateDirectory = ""
    /// The zone schedules (`jobs/*.json`) are read in by `calworker schedule`. Default UTC.
    public var scheduleTimeZone = "UTC"
    /// Where `calworker schedule` and `jobs validate` find the definitions. Default `jobs`.
    public var jobsDirectory = "jobs"
    /// How long a claim holds a job without a heartbeat. Default 30 s; from 1 s to a day (a
    /// longer lease only delays the rescue of a dead worker's jobs).
    public var lease: Duration = .seconds(30)
    public static let leaseRange: ClosedRange<Duration> = .seconds(1) ... .seconds(86_400)
    /// First retry delay; doubles per attempt. Default 15 s, at most a day.
    public var retryBase: Duration = .seconds(15)
    /// Longest retry delay. Default 6 h, at most 30 days.
    public var retryCap: Duration = .seconds(6 * 3600)
    /// `json` (default) or `text`.
    public var logFormat = "json"
    /// `debug`, `info` (default), `notice`, `warning`, `error`.
    public var logLevel = "info"

    public private(set) var entries: [Entry] = []

    /// Named prepared statements are safe unless a transaction-mode pooler sits in between.
    public var usesPreparedStatements: Bool { databasePooler != "transaction" }

    public init() {}

    static let secretNames: Set<String> = [
        "CALWORKER_GOOGLE_CLIENT_SECRET", "CALWORKER_TOKEN_KEY", "CALWORKER_TOKEN_KEY_PREVIOUS",
        "CALWORKER_S3_SECRET_ACCESS_KEY", "CALWORKER_BACKUP_KEY", "CALWORKER_BACKUP_KEY_PREVIOUS",
        "CALWORKER_SMTP_PASSWORD", "CALWORKER_WEBHOOK_SECRET",
        "CALWORKER_CONSOLE_TOKEN", "CALWORKER_CONSOLE_READONLY_TOKEN",
    ]

    /// Reads the environment; throws with the variable's name when a value is unusable.
    public static func load(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> Configuration {
        var config = Configuration()
        // The process's variables over those of CALWORKER_ENV_FILE, the file cron's lines and
        // systemd's units share.
        var reader = Reader(environment: try EnvironmentFile.merged(environment))
        config.databaseURL = try reader.string("CALWORKER_DATABASE_URL", default: config.databaseURL, secret: false)
        config.databasePooler = try reader.choice(
            "CALWORKER_DATABASE_POOLER", default: config.databasePooler,
            among: ["session", "transaction"])
        config.databaseConnectTimeout = try reader.duration(
            "CALWORKER_DATABASE_CONNECT_TIMEOUT", default: config.databaseConnectTimeout,
            in: .seconds(2) ... .seconds(300))
        config.databaseStatementTimeout = try reader.duration(
            "CALWORKER_DATABASE_STATEMENT_TIMEOUT", default: config.databaseStatementTimeout,
            in: .seconds(1) ... .seconds(86_400))
        config.databaseLockTimeout = try reader.duration(
            "CALWORKER_DATABASE_LOCK_TIMEOUT", default: config.databaseLockTimeout,
            in: .milliseconds(1) ... .seconds(3600))
        config.googleAPIURL = try reader.string("CALWORKER_GOOGLE_API_URL", default: config.googleAPIURL)
        config.googleTokenURL = try reader.string("CALWORKER_GOOGLE_TOKEN_URL", default: config.googleTokenURL)
        config.googleClientID = try reader.string("CALWORKER_GOOGLE_CLIENT_ID", default: "")
        config.googleClientSecret = try reader.string("CALWORKER_GOOGLE_CLIENT_SECRET", default: "", secret: true)
        config.tokenKey = try reader.string("CALWORKER_TOKEN_KEY", default: "", secret: true)
        config.tokenKeyPrevious = try reader.string("CALWORKER_TOKEN_KEY_PREVIOUS", default: "", secret: true)
        let budget = try reader.string("CALWORKER_GOOGLE_REQUESTS_PER_MINUTE", default: String(config.googleRequestsPerMinute), secret: false)
        guard let perMinute = Int(budget), (1...6000).contains(perMinute) else {
            throw ConfigurationError(name: "CALWORKER_GOOGLE_REQUESTS_PER_MINUTE", message: "'\(budget)' is not a whole number from 1 to 6000")
        }
        config.googleRequestsPerMinute = perMinute
        let projectBudget = try reader.string(
            "CALWORKER_GOOGLE_PROJECT_REQUESTS_PER_MINUTE", default: String(config.googleProjectRequestsPerMinute),
            secret: false)
        guard let projectPerMinute = Int(projectBudget), (0...1_000_000).contains(projectPerMinute) else {
            throw ConfigurationError(
                name: "CALWORKER_GOOGLE_PROJECT_REQUESTS_PER_MINUTE",
                message: "'\(projectBudget)' is not a whole number from 0 (off) to 1000000")
        }
        config.googleProjectRequestsPerMinute = projectPerMinute
        config.pushSafetyPoll = try reader.duration(
            "CALWORKER_PUSH_SAFETY_POLL", default: config.pushSafetyPoll,
            in: .seconds(60) ... .seconds(7 * 86_400))
        config.pushURL = try reader.string("CALWORKER_PUSH_URL", default: "", secret: false)
        if !config.pushURL.isEmpty, let problem = Self.pushURLProblem(config.pushURL) {
            throw ConfigurationError(name: "CALWORKER_PUSH_URL", message: problem)
        }
        config.s3Endpoint = try reader.string("CALWORKER_S3_ENDPOINT", default: "", secret: false)
        config.s3Region = try reader.string("CALWORKER_S3_REGION", default: config.s3Region, secret: false)
        config.s3AccessKeyID = try reader.string("CALWORKER_S3_ACCESS_KEY_ID", default: "", secret: false)
        config.s3SecretAccessKey = try reader.string("CALWORKER_S3_SECRET_ACCESS_KEY", default: "")
        config.mediaRoot = try reader.string("CALWORKER_MEDIA_ROOT", default: "", secret: false)
        if !config.mediaRoot.isEmpty && !config.mediaRoot.hasPrefix("/") {
            throw ConfigurationError(name: "CALWORKER_MEDIA_ROOT", message: "'\(config.mediaRoot)' is not an absolute path")
        }
        config.consoleToken = try reader.string("CALWORKER_CONSOLE_TOKEN", default: "")
        config.consoleReadOnlyToken = try reader.string("CALWORKER_CONSOLE_READONLY_TOKEN", default: "")
        config.consoleSecureCookies = try reader.choice("CALWORKER_CONSOLE_SECURE_COOKIES", default: "off", among: ["on", "off"]) == "on"
        config.consoleTrustedProxies = try reader.string("CALWORKER_CONSOLE_TRUSTED_PROXIES", default: "", secret: false)
        config.historyRetention = try reader.duration(
            "CALWORKER_HISTORY_RETENTION", default: config.historyRetention,
            in: .seconds(86_400) ... .seconds(100 * 365 * 86_400))
        config.mediaMaxBytes = try reader.integer("CALWORKER_MEDIA_MAX_BYTES", default: config.mediaMaxBytes, in: 1024...(1 << 34))
        config.thumbnailMaxPixels = try reader.integer(
            "CALWORKER_THUMBNAIL_MAX_PIXELS", default: config.thumbnailMaxPixels,
            in: 1_000...10_000_000_000)
        config.backupKey = try reader.string("CALWORKER_BACKUP_KEY", default: "")
        config.backupKeyPrevious = try reader.string("CALWORKER_BACKUP_KEY_PREVIOUS", default: "")
        config.backupTarget = try reader.string("CALWORKER_BACKUP_TARGET", default: "", secret: false)
        config.backupDatabaseURL = try reader.string("CALWORKER_BACKUP_DATABASE_URL", default: "", secret: false)
        config.feedsTarget = try reader.string("CALWORKER_FEEDS_TARGET", default: "", secret: false)
        if !config.feedsTarget.isEmpty && !(config.feedsTarget.hasPrefix("s3://") || config.feedsTarget.hasPrefix("file:///")) {
            throw ConfigurationError(name: "CALWORKER_FEEDS_TARGET", message: "must be s3://bucket/prefix/ or file:///absolute/folder/")
        }
        config.feedsURL = try reader.string("CALWORKER_FEEDS_URL", default: "", secret: false)
        if !config.feedsURL.isEmpty && !(config.feedsURL.hasPrefix("https://") || config.feedsURL.hasPrefix("http://")) {
            throw ConfigurationError(name: "CALWORKER_FEEDS_URL", message: "must be an http(s) URL like https://calendar.example.com/feeds/")
        }
        config.backupSpool = try reader.string("CALWORKER_BACKUP_SPOOL", default: "", secret: false)
        config.pgBin = try reader.string("CALWORKER_PG_BIN", default: "", secret: false)
        config.smtpURL = try reader.string("CALWORKER_SMTP_URL", default: "", secret: false)
        config.smtpUsername = try reader.string("CALWORKER_SMTP_USERNAME", default: "", secret: false)
        config.smtpPassword = try reader.string("CALWORKER_SMTP_PASSWORD", default: "")
        config.smtpFrom = try reader.string("CALWORKER_SMTP_FROM", default: "", secret: false)
        config.smtpCAFile = try reader.string("CALWORKER_SMTP_CA_FILE", default: "", secret: false)
        config.smtpTLS = try reader.string("CALWORKER_SMTP_TLS", default: "required", secret: false)
        guard ["required", "none"].contains(config.smtpTLS) else {
            throw ConfigurationError(name: "CALWORKER_SMTP_TLS", message: "must be required or none, got '\(config.smtpTLS)'")
        }
        if config.smtpTLS == "none" && !config.smtpURL.isEmpty && !Loopback.isSMTPRelay(config.smtpURL) {
            throw ConfigurationError(
                name: "CALWORKER_SMTP_TLS",
                message: "none is allowed only with an smtp:// relay on loopback (127.0.0.1, ::1, localhost); mail to any other host goes over TLS")
        }
        config.alertEmail = try reader.string("CALWORKER_ALERT_EMAIL", default: "", secret: false)
        config.alertWebhookURL = try reader.string("CALWORKER_ALERT_WEBHOOK_URL", default: "", secret: false)
        config.webhookSecret = try reader.string("CALWORKER_WEBHOOK_SECRET", default: "")
        config.alertInterval = try reader.duration(
            "CALWORKER_ALERT_INTERVAL", default: config.alertInterval, in: .seconds(1) ... .seconds(7 * 86_400))
        config.alertBackupMaxAge = try reader.duration(
            "CALWORKER_ALERT_BACKUP_MAX_AGE", default: config.alertBackupMaxAge,
            in: .seconds(60) ... .seconds(366 * 86_400))
        config.reauthURL = try reader.string("CALWORKER_REAUTH_URL", default: "", secret: false)
        if !config.reauthURL.isEmpty && !(config.reauthURL.hasPrefix("https://") || config.reauthURL.hasPrefix("http://")) {
            throw ConfigurationError(
                name: "CALWORKER_REAUTH_URL", message: "must be an http(s) URL like https://app.example.com/reconnect?account={account_id}")
        }
        config.alertSyncFailures = try reader.integer("CALWORKER_ALERT_SYNC_FAILURES", default: config.alertSyncFailures, in: 1...1000)
        config.alertSyncStale = try reader.duration(
            "CALWORKER_ALERT_SYNC_STALE", default: config.alertSyncStale,
            in: .seconds(60) ... .seconds(30 * 86_400))
        config.alertDiscardPercent = try reader.integer("CALWORKER_ALERT_DISCARD_PERCENT", default: config.alertDiscardPercent, in: 1...100)
        config.alertDiscardWindow = try reader.duration(
            "CALWORKER_ALERT_DISCARD_WINDOW", default: config.alertDiscardWindow,
            in: .seconds(300) ... .seconds(86_400))
        config.alertWorkersGone = try reader.duration(
            "CALWORKER_ALERT_WORKERS_GONE", default: config.alertWorkersGone,
            in: .seconds(60) ... .seconds(86_400))
        config.templateDirectory = try reader.string("CALWORKER_TEMPLATE_DIR", default: "", secret: false)
        config.notifyClaimTimeout = try reader.duration(
            "CALWORKER_NOTIFY_CLAIM_TIMEOUT", default: config.notifyClaimTimeout,
            in: .seconds(1) ... .seconds(86_400))
        config.scheduleTimeZone = try reader.string("CALWORKER_SCHEDULE_TIME_ZONE", default: "UTC", secret: false)
        guard TimeZone(identifier: config.scheduleTimeZone) != nil else {
            throw ConfigurationError(
                name: "CALWORKER_SCHEDULE_TIME_ZONE", message: "'\(config.scheduleTimeZone)' is not a time zone like UTC or Europe/Berlin")
        }
        config.jobsDirectory = try reader.string("CALWORKER_JOBS_DIR", default: "jobs", secret: false)
        config.lease = try reader.duration("CALWORKER_LEASE", default: config.lease, in: Self.leaseRange)
        config.retryBase = try reader.duration("CALWORKER_RETRY_BASE", default: config.retryBase, in: .milliseconds(1) ... .seconds(86_400))
        config.retryCap = try reader.duration("CALWORKER_RETRY_CAP", default: config.retryCap, in: .milliseconds(1) ... .seconds(30 * 86_400))
        config.logFormat = try reader.choice("CALWORKER_LOG_FORMAT", default: config.logFormat, among: ["json", "text"])
        config.logLevel = try reader.choice(
            "CALWORKER_LOG_LEVEL", default: config.logLevel,
            among: ["debug", "info", "notice", "warning", "error"])
        config.entries = reader.entries
        return config
    }
}
