import Accounts
import Backup
import CalendarSync
import Configuration
import Crypto
import Feeds
import Foundation
import Google
import HTTPClient
import JobQueue
import Jobs
import Logging
import Media
import Metrics
import Notify
import Postgres
import Push
import Redaction
import RequestBudgets
import Worker

/// What a command gets: configuration, output, a logger, and a way to the database.
final class CommandContext: Sendable {
    let configuration: Configuration
    let output: Output
    let logger: Logger
    let json: Bool
    /// `--log-level` was given: the command line's level holds, whatever a reload reads.
    let logLevelFixed: Bool
    let registry: HandlerRegistry
    /// What the job kinds were configured with (media, backups), for commands doing the same work.
    let registryEnvironment: JobEnvironment
    /// This process's metrics: what `work` serves, writes or pushes.
    let metrics = MetricsRegistry()

    /// Encrypts and decrypts OAuth tokens; nil when `CALWORKER_TOKEN_KEY` is not set.
    let tokenCipher: TokenCipher?
    /// Why the configured key is unusable, if it is: commands that need tokens refuse to run,
    /// the others (config, queue, runs) still work so the operator can look around.
    let tokenKeyProblem: CLIError?

    init(configuration: Configuration, output: Output, logger: Logger, json: Bool, logLevelFixed: Bool = false) {
        self.logLevelFixed = logLevelFixed
        Self.registerSecrets(of: configuration)
        self.configuration = configuration
        self.output = output
        self.logger = logger
        self.json = json
        var problem: CLIError?
        do {
            self.tokenCipher = try Self.cipher(configuration)
        } catch {
            self.tokenCipher = nil
            problem = error
        }
        self.tokenKeyProblem = problem
        let google = GoogleSettings(
            apiURL: configuration.googleAPIURL, tokenURL: configuration.googleTokenURL,
            clientID: configuration.googleClientID, clientSecret: configuration.googleClientSecret,
            requestsPerMinute: configuration.googleRequestsPerMinute)
        var shared = google
        shared.projectRequestsPerMinute = configuration.googleProjectRequestsPerMinute
        shared.sharedBudgets = PostgresRequestBudgets(
            conninfo: configuration.databaseURL,
            preparedStatements: configuration.usesPreparedStatements)
        var environment = JobEnvironment(google: shared, tokenCipher: tokenCipher)
        if !configuration.pushURL.isEmpty {
            var push = PushSettings(address: configuration.pushURL)
            push.safetyPoll = configuration.pushSafetyPoll
            environment.push = push
        }
        environment.media = MediaSettings(
            s3Endpoint: configuration.s3Endpoint.isEmpty ? nil : configuration.s3Endpoint,
            s3Region: configuration.s3Region, s3AccessKeyID: configuration.s3AccessKeyID,
            s3SecretAccessKey: configuration.s3SecretAccessKey,
            mediaRoot: configuration.mediaRoot.isEmpty ? nil : configuration.mediaRoot)
        var backup = BackupSettings(target: configuration.backupTarget.isEmpty ? nil : configuration.backupTarget, media: environment.media)
        backup.key = try? SecretKey(base64: configuration.backupKey)
        backup.previousKeys = configuration.backupKeyPrevious.split(separator: ",").compactMap { try? SecretKey(base64: String($0)) }
        if !configuration.backupSpool.isEmpty { backup.spoolDirectory = configuration.backupSpool }
        if !configuration.pgBin.isEmpty { backup.toolsDirectory = configuration.pgBin }
        if !configuration.backupDatabaseURL.isEmpty { backup.databaseURL = configuration.backupDatabaseURL }
        environment.backup = backup
        if !configuration.feedsTarget.isEmpty {
            do {
                environment.feedsTarget = try FeedPublisher.target(configuration.feedsTarget, mediaRoot: environment.media.mediaRoot)
            } catch {
                environment.feedsTargetProblem = "CALWORKER_FEEDS_TARGET cannot be used: \(error.message)"
            }
        }
        var notify = NotifySettings()
        if !configuration.smtpURL.isEmpty {
            notify.smtp = SMTPSettings(
                url: configuration.smtpURL, username: configuration.smtpUsername.isEmpty ? nil : configuration.smtpUsername,
                password: configuration.smtpPassword, caFile: configuration.smtpCAFile.isEmpty ? nil : configuration.smtpCAFile,
                plainTextToLoopback: configuration.smtpTLS == "none")
        }
        notify.from = MailAddress(configuration.smtpFrom)
        notify.alertEmails = configuration.alertEmail.split(separator: ",").compactMap { MailAddress(String($0)) }
        notify.alertWebhookURL = configuration.alertWebhookURL.isEmpty ? nil : configuration.alertWebhookURL
        notify.webhookSecret = configuration.webhookSecret.isEmpty ? nil : configuration.webhookSecret
        notify.alertInterval = configuration.alertInterval
        notify.backupMaxAge = configuration.alertBackupMaxAge
        notify.syncFailures = configuration.alertSyncFailures
        notify.syncStale = configuration.alertSyncStale
        notify.discardRate = Double(configuration.alertDiscardPercent) / 100
        notify.discardWindow = configuration.alertDiscardWindow
        notify.workersGone = configuration.alertWorkersGone
        notify.reauthURLTemplate = configuration.reauthURL.isEmpty ? nil : configuration.reauthURL
        let jobsDirectory = configuration.jobsDirectory
        let zone = TimeZone(identifier: configuration.scheduleTimeZone) ?? .gmt
        notify.schedulePeriods = { ScheduleExpectations.periods(directory: jobsDirectory, timeZone: zone) }
        notify.backupsConfigured = !configuration.backupTarget.isEmpty
        notify.claimLease = configuration.notifyClaimTimeout
        notify.templates = Templates(overrideDirectory: configuration.templateDirectory.isEmpty ? nil : configuration.templateDirectory)
        environment.notify = notify
        environment.mediaMaxBytes = configuration.mediaMaxBytes
        environment.thumbnailMaxPixels = configuration.thumbnailMaxPixels
        environment.historyRetention = configuration.historyRetention
        self.registryEnvironment = environment
        self.registry = JobKinds.registry(environment)
    }

    /// Every configured secret, in the forms it may be echoed in, so no log line, stored
    /// error or output carries it (`KnownSecrets`). OAuth tokens register themselves as they
    /// are decrypted.
    static func registerSecrets(of configuration: Configuration) {
        var secrets = [
            configuration.googleClientSecret, configuration.s3SecretAccessKey, configuration.smtpPassword,
            configuration.webhookSecret, configuration.tokenKey, configuration.backupKey,
        ]
        secrets += (configuration.tokenKeyPrevious + "," + configuration.backupKeyPrevious).split(separator: ",").map(String.init)
        secrets += PostgresConninfo.passwords(inRawText: configuration.databaseURL)
        secrets += PostgresConninfo.passwords(inRawText: configuration.backupDatabaseURL)
        if !configuration.smtpPassword.isEmpty {
            // SMTP AUTH sends the password in base64 (PLAIN: NUL user NUL password; LOGIN: alone).
            secrets.append(Data("\0\(configuration.smtpUsername)\0\(configuration.smtpPassword)".utf8).base64EncodedString())
            secrets.append(Data(configuration.smtpPassword.utf8).base64EncodedString())
        }
        for secret in secrets where !secret.isEmpty { KnownSecrets.register(secret) }
    }

    static func cipher(_ configuration: Configuration) throws(CLIError) -> TokenCipher? {
        guard !configuration.tokenKey.isEmpty else { return nil }
        do {
            let previous = try configuration.tokenKeyPrevious.split(separator: ",").map { text throws(CryptoError) in
                try TokenCipher.Key(base64: String(text))
            }
            return TokenCipher(current: try TokenCipher.Key(base64: configuration.tokenKey), previous: previous)
        } catch {
            throw CLIError(.unavailable, "CALWORKER_TOKEN_KEY or CALWORKER_TOKEN_KEY_PREVIOUS: \(error.message)")
        }
    }

    /// The account store; fails when the configured token key is unusable.
    func accountStore() throws(CLIError) -> AccountStore {
        if let tokenKeyProblem { throw tokenKeyProblem }
        return AccountStore(cipher: tokenCipher)
    }

    /// Backups: keys, target, spool, tools; fails when a configured backup key is unusable.
    func backupSettings() throws(CLIError) -> BackupSettings {
        for (name, value) in [("CALWORKER_BACKUP_KEY", configuration.backupKey), ("CALWORKER_BACKUP_KEY_PREVIOUS", configuration.backupKeyPrevious)] {
            for part in value.split(separator: ",") where (try? SecretKey(base64: String(part))) == nil {
                throw CLIError(.unavailable, "\(name): a key must be base64 of exactly 32 bytes", hint: "make one with: openssl rand -base64 32")
            }
        }
        return registryEnvironment.backup
    }

    var queue: JobQueue {
        JobQueue(lease: configuration.lease, backoff: RetryBackoff(base: configuration.retryBase, cap: configuration.retryCap))
    }

    /// The configured database limits (`CALWORKER_DATABASE_*_TIMEOUT`).
    var databaseTimeouts: PostgresTimeouts {
        PostgresTimeouts(
            connect: configuration.databaseConnectTimeout, statement: configuration.databaseStatementTimeout,
            lock: configuration.databaseLockTimeout, setOnServer: configuration.usesPreparedStatements)
    }

    /// Connects, translating failure into exit code 3 with what to check.
    func connect(timeouts: PostgresTimeouts? = nil) throws(CLIError) -> PostgresConnection {
        do {
            return try PostgresConnection.connect(
                configuration.databaseURL,
                preparedStatements: configuration.usesPreparedStatements,
                timeouts: timeouts ?? databaseTimeouts)
        } catch {
            throw CLIError(
                .unavailable, "cannot reach PostgreSQL: \(error.message)",
                hint: "set CALWORKER_DATABASE_URL (now: '\(Configuration.maskPassword(in: configuration.databaseURL))') and check the server is up")
        }
    }

    /// Connects and checks the schema is the one this build knows (exit code 4 otherwise).
    func connectCurrent() throws(CLIError) -> PostgresConnection {
        let db = try connect()
        do {
            let status = try registry.schema.status(on: db)
            guard status.isCurrent else { throw CLIError(.schema, status.explanation) }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(.unavailable, "cannot read the schema version: \(error)")
        }
        return db
    }

    /// Prints a value as JSON, or hands over to the table printer.
    func emit<T: Encodable>(_ value: T, table: () -> String) {
        if json { output.out(JSONOutput.encode(value), json: true) } else { output.out(table()) }
    }
}
