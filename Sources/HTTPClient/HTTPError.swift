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
    }

    public var kind: Kind
    /// libcurl's `CURLcode`, when libcurl reported the failure.
    public var curlCode: Int?
    public var message: String

    public init(_ kind: Kind, _ message: String, curlCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String { message }

    /// Whether sending the same request again may work.
    public var isRetryable: Bool { kind == .transport }
}

extension HTTPError: CalworkerError {
    public var errorCode: String {
        switch kind {
        case .transport: "transport"
        case .aborted: "aborted"
        case .responseTooLarge: "response_too_large"
        case .invalidRequest: "invalid_request"
        }
    }
}
