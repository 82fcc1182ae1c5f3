public import Basics

/// An error from PostgreSQL or from the libpq wrapper.
///
/// `description` carries the server's message and SQLSTATE, never parameters or
/// connection passwords: bound parameters are not part of any error, and connection
/// errors are built from libpq's message, which does not echo the password.
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The server could not be reached or refused the connection.
        case connectionFailed
        /// The connection broke during a call; `reconnect()` and retry.
        case connectionLost
        /// No answer came within the statement limit (`PostgresTimeouts`); the session was
        /// closed, as if the connection had broken.
        case timedOut
        /// The server rejected the statement; `sqlState` says why.
        case server
        /// A value in a result did not decode to the requested Swift type.
        case decoding
        /// The wrapper was used wrongly (bad parameter, wrong column).
        case usage
    }

    public var kind: Kind
    public var message: String
    /// Five-character SQLSTATE code from the server, e.g. `23505` for a unique violation.
    public var sqlState: String?
    public var detail: String?
    public var hint: String?

    public init(_ kind: Kind, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
    }

    /// True when the failure is about the connection rather than the statement, so the caller
    /// should reconnect and try again later. Class 08 is "connection exception"; 57P01..57P03
    /// are the server shutting down or starting up.
    public var isConnectionProblem: Bool {
        if kind == .connectionFailed || kind == .connectionLost || kind == .timedOut { return true }
        guard let state = sqlState else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// The statement was given a value PostgreSQL cannot use (class 22, "data exception": a
    /// number or interval out of range, a date that is not one): the input's fault, not an
    /// outage, so a command answers it as a usage error.
    public var isDataException: Bool { sqlState?.hasPrefix("22") == true }

    /// A failure that says nothing about the statement itself: running it again can succeed
    /// (deadlock detected, serialization failure, lock not available).
    public var isTransient: Bool {
        sqlState == "40P01" || sqlState == "40001" || sqlState == "55P03"
    }

    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail, !detail.isEmpty { text += "; detail: \(detail)" }
        if let hint, !hint.isEmpty { text += "; hint: \(hint)" }
        return text
    }
}

extension PostgresError: CalworkerError {
    public var errorCode: String { sqlState ?? kind.rawValue }
    /// Statements are retried as the queue always retried them: a constraint or a lock, a
    /// schema not yet migrated, a server away can all be different next time.
    public var isRetryable: Bool { kind != .usage }
}
