public import Basics
import HTTPClient

/// What went wrong talking to a CalDAV server, classified once, as the sync engine needs it.
public struct CalDAVError: Error, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// 401/403: the app password no longer works; the account needs reconnecting.
        case authRefused = "auth_refused"
        /// 429/503: the server asked for a wait.
        case rateLimited = "rate_limited"
        /// No answer, or a 5xx: try again later.
        case unavailable
        /// An answer calworker cannot read (not XML, not a multistatus, too large): retried,
        /// never taken as "nothing there".
        case malformed
        /// A redirect to another host (the password would follow it), or too many.
        case redirectRefused = "redirect_refused"
        /// The URL leads to no CalDAV calendars (no principal, no calendar home).
        case notCalDAV = "not_caldav"
        /// RFC 6578's valid-sync-token precondition: list the collection in full.
        case syncTokenInvalid = "sync_token_invalid"
        /// 412: the resource changed since it was read.
        case preconditionFailed = "precondition_failed"
        /// 404/410.
        case gone
        /// Any other answer.
        case refused
    }

    public var kind: Kind
    public var message: String
    public var wait: Duration?

    public init(_ kind: Kind, _ message: String, wait: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.wait = wait
    }

    static func unexpected(_ response: HTTPResponse, asked: String) -> CalDAVError {
        switch response.status {
        case 404, 410: CalDAVError(.gone, "\(asked): \(response.status)")
        case 412: CalDAVError(.preconditionFailed, "\(asked): 412, changed since it was read")
        default: CalDAVError(.refused, "\(asked): \(response.status) \(response.bodyExcerpt(limit: 200))")
        }
    }
}

extension CalDAVError: CalworkerError {
    public var errorCode: String { "caldav_" + kind.rawValue }
    public var description: String { message }
    public var isRetryable: Bool { [.rateLimited, .unavailable, .malformed].contains(kind) }
    public var requestedWait: Duration? { wait }
}
