import Basics

/// How long a session may take to answer. A server that accepts connections and then never
/// answers once hung every command forever; with these, each call ends.
public struct PostgresTimeouts: Sendable, Equatable {
    /// Establishing a session: TCP, TLS and authentication (libpq's `connect_timeout`, at
    /// least 2 s). Default 10 s.
    public var connect: Duration = .seconds(10)
    /// Longest a statement runs. The server cancels it (`statement_timeout`, SQLSTATE 57014),
    /// and should no answer come at all, the client gives up `clientMargin` later and drops the
    /// connection. Default 60 s; nil: no limit (only for statements known to take long).
    public var statement: Duration? = .seconds(60)
    /// Longest a statement waits for a row or table lock (`lock_timeout`, SQLSTATE 55P03,
    /// which callers retry). Default 10 s.
    public var lock: Duration? = .seconds(10)
    /// Whether the server is told `statement` and `lock` (one `set_config` after connecting).
    /// Off behind a transaction-mode pooler, where a session setting would reach whichever
    /// client gets the server session next; the client-side limit still holds there.
    public var setOnServer = true

    /// How much longer than `statement` the client waits before it gives the server up.
    public static let clientMargin: Duration = .seconds(5)

    public init(
        connect: Duration = .seconds(10), statement: Duration? = .seconds(60), lock: Duration? = .seconds(10),
        setOnServer: Bool = true
    ) {
        self.connect = connect
        self.statement = statement
        self.lock = lock
        self.setOnServer = setOnServer
    }

    /// The same with another statement limit (migrations and backups run longer statements).
    public func statement(_ limit: Duration?) -> PostgresTimeouts {
        var copy = self
        copy.statement = limit
        return copy
    }

    /// The wait after which the client stops waiting for an answer.
    var clientLimit: Duration? { statement.map { $0 + Self.clientMargin } }

    /// Whole seconds for libpq's `connect_timeout`.
    var connectSeconds: Int {
        max(2, Int(connect.components.seconds) + (connect.components.attoseconds > 0 ? 1 : 0))
    }

    /// Milliseconds as `set_config` takes them; "0" means no limit.
    static func setting(_ duration: Duration?) -> String {
        guard let duration else { return "0" }
        return String(max(1, duration.wholeMilliseconds))
    }
}
