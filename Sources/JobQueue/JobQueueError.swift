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

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
