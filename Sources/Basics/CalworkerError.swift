/// The one shape of calworker's errors: a stable code naming the kind of failure, a message
/// an operator can act on, and whether trying again later may work. The worker decides retry
/// against discard from `isRetryable` alone; no catch ladder or string match.
///
/// `description` is the message, and the message never carries a secret: text from outside
/// is cleaned where it enters (`Redactor`), and nothing else (parameters, request bodies) is
/// ever put in it, as postgres-nio's `PSQLError` keeps its description generic.
public protocol CalworkerError: Error, CustomStringConvertible, Sendable {
    /// Short and stable (`timedOut`, `invalid`, `rate_limited`): for logs, tests and metrics.
    /// (Not `code`: several errors already have a typed `code` of their own.)
    var errorCode: String { get }
    var message: String { get }
    /// Whether the same operation may work later without anyone changing anything.
    var isRetryable: Bool { get }
    /// How long to wait before trying again, when a server asked for a wait longer than an
    /// attempt may sleep (`AttemptWaits`). The worker snoozes the job for it instead of failing
    /// the attempt: the job comes back after the wait without spending an attempt.
    var requestedWait: Duration? { get }
}

extension CalworkerError {
    public var description: String { message }
    /// Most errors carry no wait.
    public var requestedWait: Duration? { nil }
}
