public import Basics

/// Exit codes, documented in docs/commands.md, so scripts and systemd can tell failures apart.
public enum ExitCode: Int32, Sendable, CaseIterable {
    /// It worked.
    case ok = 0
    /// The command ran but its operation failed (job in the wrong state, worker error).
    case failure = 1
    /// The command line, a job file or job args are wrong; nothing was done.
    case usage = 2
    /// PostgreSQL could not be reached (or the configuration is unusable).
    case unavailable = 3
    /// The database schema is not the version this build needs (run `calworker migrate`).
    case schema = 4
    /// The job (or other object) named does not exist.
    case notFound = 5

    public var meaning: String {
        switch self {
        case .ok: "success"
        case .failure: "the operation failed (see the message)"
        case .usage: "bad command line, job file or job args; nothing was done"
        case .unavailable: "PostgreSQL unreachable or configuration unusable"
        case .schema: "database schema not at this build's version; run `calworker migrate`"
        case .notFound: "no such job"
        }
    }
}

/// An error that ends a command with a message, a hint and an exit code.
public struct CLIError: Error, CustomStringConvertible, Sendable {
    public var code: ExitCode
    public var message: String
    /// What to do next.
    public var hint: String?

    public init(_ code: ExitCode, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}

extension CLIError: CalworkerError {
    public var errorCode: String { String(describing: self.code) }
    public var isRetryable: Bool { self.code == .unavailable }
}
