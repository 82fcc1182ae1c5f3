public import Basics

/// Why a media operation did not happen, sorted by what the caller should do about it.
public struct MediaError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// No object there. Retrying will not make it appear.
        case notFound
        /// The object is larger than the caller allows.
        case tooLarge
        /// The store could not be reached or answered 5xx/429 after retries: try later.
        case unavailable
        /// The store refused the credentials or the operation (403): fix the configuration.
        case denied
        /// The location or request is wrong (bad URL, outside the media root, read-only store).
        case invalid
        /// The job was asked to stop.
        case aborted
    }

    public var kind: Kind
    public var message: String
    /// The store asked for a wait longer than an attempt sleeps (`Retry-After`): the job is
    /// snoozed for it (with `.unavailable`).
    public var requestedWait: Duration?

    public init(_ kind: Kind, _ message: String, requestedWait: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.requestedWait = requestedWait
    }

    public var description: String { message }

    /// Whether the same operation may work later without anyone changing anything.
    public var isRetryable: Bool { kind == .unavailable }
}

extension MediaError: CalworkerError {
    public var errorCode: String { kind.rawValue }
}
