public import Basics

/// A request that got no usable response. (A response with an error status is not an
/// `HTTPError`: the caller decides what a 404 means.)
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// libcurl failed: DNS, connect, TLS, timeout, reset. Worth retrying.
        case transport
        /// The caller asked to stop (job cancelled, timed out, worker stopping).
        case aborted
        /// The response body passed `maxResponseBytes`.
        case responseTooLarge
        /// The request itself is wrong (bad URL, forbidden scheme); retrying cannot help.
        case invalidRequest
        /// The server asked for a wait (`Retry-After`) longer than an attempt may sleep, or the
        /// attempt has no time left for the wait: try again after `requestedWait`.
        case retryLater
    }

    public var kind: Kind
    /// libcurl's `CURLcode`, when libcurl reported the failure.
    public var curlCode: Int?
    public var message: String
    /// With `.retryLater`: how long until the request is worth sending again.
    public var requestedWait: Duration?

    public init(_ kind: Kind, _ message: String, curlCode: Int? = nil, requestedWait: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
        self.requestedWait = requestedWait
    }

    public var description: String { message }

    /// Whether sending the same request again may work (at once, or after `requestedWait`).
    public var isRetryable: Bool { kind == .transport || kind == .retryLater }
}

extension HTTPError: CalworkerError {
    public var errorCode: String {
        switch kind {
        case .transport: "transport"
        case .aborted: "aborted"
        case .responseTooLarge: "response_too_large"
        case .invalidRequest: "invalid_request"
        case .retryLater: "retry_later"
        }
    }
}
