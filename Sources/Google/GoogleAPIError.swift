public import Basics
import Foundation
public import HTTPClient
import Redaction

/// An error answer from Google, decoded from its documented body
/// (`{"error": {"code", "message", "errors": [{"domain", "reason", "message"}], "status"}}`).
public struct GoogleAPIError: Error, CustomStringConvertible, Sendable, Equatable {
    public var status: Int
    /// The first `errors[].reason`: `rateLimitExceeded`, `quotaExceeded`, `fullSyncRequired`, ...
    public var reason: String?
    public var domain: String?
    public var message: String
    /// Seconds the server asked us to wait (`Retry-After`), if it did.
    public var retryAfter: Double?
    /// The method that failed, e.g. `events.list`.
    public var method: String

    public init(status: Int, reason: String?, domain: String? = nil, message: String, retryAfter: Double? = nil, method: String) {
        self.status = status
        self.reason = reason
        self.domain = domain
        self.message = message
        self.retryAfter = retryAfter
        self.method = method
    }

    /// Decodes a response's body; a body that is not Google's shape still gives a usable error.
    public static func decode(_ response: HTTPResponse, method: String) -> GoogleAPIError {
        let retryAfter = response.header("Retry-After").flatMap { HTTPRetryPolicy.parseRetryAfter($0) }
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else {
            return GoogleAPIError(
                status: response.status, reason: nil, message: "HTTP \(response.status): \(response.bodyExcerpt(limit: 200))",
                retryAfter: retryAfter, method: method)
        }
        let first = (error["errors"] as? [[String: Any]])?.first
        // Google's words, cleaned and cut: a server that echoes the Authorization header must
        // not put the access token into a stored error.
        let message = (error["message"] as? String) ?? (first?["message"] as? String) ?? "HTTP \(response.status)"
        return GoogleAPIError(
            status: response.status, reason: (first?["reason"] as? String).map { Redactor.clean($0, limit: 64) },
            domain: (first?["domain"] as? String).map { Redactor.clean($0, limit: 64) },
            message: Redactor.clean(message, limit: 300), retryAfter: retryAfter, method: method)
    }

    public var description: String {
        "\(method): HTTP \(status)\(reason.map { " \($0)" } ?? ""): \(message)"
    }

    /// docs/sync.md: back off and try again (429, 403 rate-limit reasons, 5xx).
    public var isRetryable: Bool {
        status == 429 || status >= 500 || (status == 403 && ["rateLimitExceeded", "userRateLimitExceeded"].contains(reason ?? ""))
    }

    public var isRateLimit: Bool {
        status == 429 || (status == 403 && ["rateLimitExceeded", "userRateLimitExceeded"].contains(reason ?? ""))
    }

    /// The account's daily quota is spent: pause it for hours rather than hammer.
    public var isQuotaExceeded: Bool { status == 403 && reason == "quotaExceeded" }

    /// The sync token is no longer valid: a full sync is required.
    public var isFullSyncRequired: Bool { status == 410 && (reason == "fullSyncRequired" || reason == nil) }
}

/// The token endpoint said no.
public struct OAuthError: Error, CustomStringConvertible, Sendable {
    /// `invalid_grant`, `invalid_client`, ...; nil when the answer was not OAuth's shape.
    public var code: String?
    public var message: String

    public var description: String { message }

    /// The refresh token is revoked or expired: only the user can fix it by connecting again.
    public var isInvalidGrant: Bool { code == "invalid_grant" }
}

extension GoogleAPIError: CalworkerError {
    public var errorCode: String { reason ?? "http_\(status)" }
}

extension OAuthError: CalworkerError {
    public var errorCode: String { self.code ?? "oauth" }
    /// A refused refresh token needs the user; anything else the endpoint said may pass.
    public var isRetryable: Bool { !isInvalidGrant }
}
