public import Basics

/// Errors of the queue's own rules (as opposed to PostgreSQL's).
public struct JobQueueError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// The job's fields break a rule (bad kind, args not an object, ...).
        case invalidJob
        /// No job with that id.
        case notFound
        /// The job is in a state that does not allow the operation.
        case wrongState
    }

    public var code: Code
    public var message: String
    /// The job field at fault (`queue`, `max_attempts`, `args`, ...), when one is: a job file's
    /// error names the field an operator must fix.
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { message }
}

extension JobQueueError: CalworkerError {
    public var errorCode: String { self.code.rawValue }
    public var isRetryable: Bool { false }
}
