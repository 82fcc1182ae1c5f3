public import Basics

/// Why a provider call did not produce a result, classified once by the provider so the
/// engine never reads a service's status codes: `kind` says what the engine should do, and
/// the service's own error (`underlying`) says what happened, in the run record's words.
public struct ProviderError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Worth another try later: the network, the service busy or failing.
        case retryable
        /// Asked to slow down (after the attempts a call makes); `after` when the service said.
        case rateLimited(after: Duration?)
        /// The account's daily quota is spent: pause it for hours rather than hammer.
        case quotaExceeded
        /// The listing's cursor is no longer valid: list everything and reconcile.
        case cursorExpired
        /// A write's precondition (If-Match) failed: someone else changed the event.
        case preconditionFailed
        /// An event with that id exists already.
        case conflict
        /// No such event or calendar (any more).
        case notFound
        /// The account's credentials were refused: only its user can connect it again.
        case authRevoked
        /// A 2xx answer that is not what the service documents.
        case malformed
        /// Refused for a reason no retry changes.
        case refused
        /// The job was asked to stop.
        case stopped
    }

    public var kind: Kind
    /// The service's own error, for the description, the error code and the queue's retry
    /// decision (`CalworkerError`).
    public var underlying: any CalworkerError

    public init(_ kind: Kind, _ underlying: any CalworkerError) {
        self.kind = kind
        self.underlying = underlying
    }

    /// Stopping, as the engine says it between steps.
    public static func stopped(during what: String) -> ProviderError { ProviderError(.stopped, StopRequested(during: what)) }

    public var description: String { underlying.message }
}

extension ProviderError: CalworkerError {
    public var errorCode: String { underlying.errorCode }
    public var message: String { underlying.message }
    public var isRetryable: Bool { underlying.isRetryable }
    public var requestedWait: Duration? { underlying.requestedWait }
}

/// The account's credentials were refused: the account needs to be connected again.
public struct CredentialsRefused: Error, CustomStringConvertible, Sendable {
    /// The service, as a user knows it ("Google").
    public var service: String
    public var reason: String

    public init(service: String, reason: String) {
        self.service = service
        self.reason = reason
    }

    public var description: String {
        "\(service) refused the refresh token (\(reason)); the account needs to be connected again"
    }
}

extension CredentialsRefused: CalworkerError {
    public var errorCode: String { "needs_reauth" }
    public var message: String { description }
    public var isRetryable: Bool { false }
}
