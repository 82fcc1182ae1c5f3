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
import Scheduling
import Worker

/// What a command gets: configuration, output, a logger, and a way to the database.
final class CommandContext: Sendable {
    /// Every module's settings, as read at start.
    let settings: Settings
    /// The process's own settings (database, queue, logs) and every variable read.
    var configuration: Configuration { settings.core }
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

    init(settings: Settings, output: Output, logger: Logger, json: Bool, logLevelFixed: Bool = false) {
        self.logLevelFixed = logLevelFixed
        Self.registerSecrets(of: settings)
        self.settings = settings
        self.output = output
        self.logger = logger
        self.json = json
        var problem: CLIError?
        do {
            self.tokenCipher = try settings.tokenKeys.cipher()
        } catch {
            self.tokenCipher = nil
            problem = CLIError(.unavailable, error.description)
        }
        self.tokenKeyProblem = problem
        var google = settings.google
        google.sharedBudgets = PostgresRequestBudgets(
            conninfo: settings.core.databaseURL, preparedStatements: settings.core.usesPreparedStatements)
        var environment = JobEnvironment(google: google, tokenCipher: tokenCipher)
        environment.push = settings.push.settings
        environment.media = settings.media
        environment.thumbnailer = settings.thumbnailer
        environment.historyRetention = settings.core.historyRetention
        environment.backup = settings.backup
        environment.backup.media = settings.media
        if let target = settings.feeds.target {
            do {
                environment.feedsTarget = try FeedPublisher.target(target, mediaRoot: settings.media.mediaRoot)
            } catch {
                environment.feedsTargetProblem = "CALWORKER_FEEDS_TARGET cannot be used: \(error.message)"
            }
        }
        var notify = settings.notify
        let schedule = settings.schedule
        notify.schedulePeriods = { ScheduleExpectations.periods(directory: schedule.jobsDirectory, timeZone: schedule.timeZone) }
        notify.backupsConfigured = settings.backup.target != nil
        environment.notify = notify
        self.registryEnvironment = environment
        self.registry = JobKinds.registry(environment)
    }

    /// Every configured secret, in the forms it may be echoed in, so no log line, stored
    /// error or output carries it (`KnownSecrets`): each value read as a secret (each key of a
    /// comma-separated list too), the passwords in connection strings, and SMTP's encodings of
    /// its password. OAuth tokens register themselves as they are decrypted.
    static func registerSecrets(of settings: Settings) {
        var secrets: [String] = []
        for entry in settings.core.entries {
            if entry.secret { secrets += [entry.value] + entry.value.split(separator: ",").map(String.init) }
            if Configuration.conninfoNames.contains(entry.name) { secrets += PostgresConninfo.passwords(inRawText: entry.value) }
        }
        if let smtp = settings.notify.smtp, let password = smtp.password, !password.isEmpty {
            // SMTP AUTH sends the password in base64 (PLAIN: NUL user NUL password; LOGIN: alone).
            secrets.append(Data("\0\(smtp.username ?? "")\0\(password)".utf8).base64EncodedString())
            secrets.append(Data(password.utf8).base64EncodedString())
        }
        for secret in secrets where !secret.isEmpty { KnownSecrets.register(secret) }
    }

    /// The account store; fails when the configured token key is unusable.
    func accountStore() throws(CLIError) -> AccountStore {
        if let tokenKeyProblem { throw tokenKeyProblem }
        return AccountStore(cipher: tokenCipher)
    }

    /// Backups: keys, target, spool, tools; fails when a configured backup key is unusable.
    func backupSettings() throws(CLIError) -> BackupSettings {
        if let problem = registryEnvironment.backup.keyProblem {
            throw CLIError(.unavailable, problem, hint: "make one with: openssl rand -base64 32")
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
