public import Foundation

/// The settings of the process itself: the database, the queue, the logs. Every module's own
/// settings type reads its variables through the same reader (`ConfigurationSection`); the
/// defaults make a local run work without any setting. Secrets may come from a file named by
/// `NAME_FILE` (the container-secrets convention); `calworker config` shows where each value
/// came from.
public struct Configuration: ConfigurationSection {
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
    /// How long a claim holds a job without a heartbeat. Default 30 s; from 1 s to a day (a
    /// longer lease only delays the rescue of a dead worker's jobs).
    public var lease: Duration = .seconds(30)
    public static let leaseRange: ClosedRange<Duration> = .seconds(1) ... .seconds(86_400)
    /// First retry delay; doubles per attempt. Default 15 s, at most a day.
    public var retryBase: Duration = .seconds(15)
    /// Longest retry delay. Default 6 h, at most 30 days.
    public var retryCap: Duration = .seconds(6 * 3600)
    /// How long run history is kept: the cleanup job drops whole days older than this.
    /// Default 30 days.
    public var historyRetention: Duration = .seconds(30 * 86_400)
    /// `json` (default) or `text`.
    public var logFormat = "json"
    /// `debug`, `info` (default), `notice`, `warning`, `error`.
    public var logLevel = "info"

    /// Every variable read, this section's and every other read through the same reader
    /// (set by whoever read them all: `calworker config` lists these).
    public var entries: [Entry] = []

    /// Named prepared statements are safe unless a transaction-mode pooler sits in between.
    public var usesPreparedStatements: Bool { databasePooler != "transaction" }

    public init() {}

    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        databaseURL = try reader.string("CALWORKER_DATABASE_URL")
        databasePooler = try reader.choice("CALWORKER_DATABASE_POOLER", default: databasePooler, among: ["session", "transaction"])
        databaseConnectTimeout = try reader.duration(
            "CALWORKER_DATABASE_CONNECT_TIMEOUT", default: databaseConnectTimeout, in: .seconds(2) ... .seconds(300))
        databaseStatementTimeout = try reader.duration(
            "CALWORKER_DATABASE_STATEMENT_TIMEOUT", default: databaseStatementTimeout, in: .seconds(1) ... .seconds(86_400))
        databaseLockTimeout = try reader.duration(
            "CALWORKER_DATABASE_LOCK_TIMEOUT", default: databaseLockTimeout, in: .milliseconds(1) ... .seconds(3600))
        lease = try reader.duration("CALWORKER_LEASE", default: lease, in: Self.leaseRange)
        retryBase = try reader.duration("CALWORKER_RETRY_BASE", default: retryBase, in: .milliseconds(1) ... .seconds(86_400))
        retryCap = try reader.duration("CALWORKER_RETRY_CAP", default: retryCap, in: .milliseconds(1) ... .seconds(30 * 86_400))
        historyRetention = try reader.duration(
            "CALWORKER_HISTORY_RETENTION", default: historyRetention, in: .seconds(86_400) ... .seconds(100 * 365 * 86_400))
        logFormat = try reader.choice("CALWORKER_LOG_FORMAT", default: logFormat, among: ["json", "text"])
        logLevel = try reader.choice("CALWORKER_LOG_LEVEL", default: logLevel, among: ["debug", "info", "notice", "warning", "error"])
    }

    /// The process's own settings alone, from the environment (and `CALWORKER_ENV_FILE`).
    public static func load(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> Configuration {
        var reader = try ConfigurationReader(environment: environment)
        var configuration = try Configuration(reading: &reader)
        configuration.entries = reader.entries
        return configuration
    }
}
