public import Foundation
public import HTTPClient
import Redaction

/// Exchanges a refresh token for an access token at the token endpoint (RFC 6749 §6).
public struct OAuthClient: Sendable {
    public struct Grant: Sendable {
        public var accessToken: String
        public var expiresAt: Date
        /// Present when the server rotated the refresh token; otherwise keep the old one.
        public var refreshToken: String?
    }

    public let tokenURL: String
    public let clientID: String
    public let clientSecret: String
    let http: HTTPClient

    public init(tokenURL: String, clientID: String, clientSecret: String, http: HTTPClient) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.http = http
    }

    /// Throws `OAuthError` when the endpoint refuses (check `isInvalidGrant`), `HTTPError`
    /// when it cannot be reached.
    public func refresh(_ refreshToken: String, shouldAbort: (@Sendable () -> Bool)? = nil) throws -> Grant {
        let form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", clientID), ("client_secret", clientSecret)]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        var request = HTTPRequest(
            method: "POST", url: tokenURL,
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8))
        request.timeout = .seconds(30)
        // A token answer is a few hundred bytes.
        request.maxResponseBytes = 1 << 20
        let response = try http.send(request, retry: HTTPRetryPolicy(maxAttempts: 3), shouldAbort: shouldAbort)
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        guard response.isSuccess else {
            // The server's words are shown, cleaned: an endpoint that quotes the request back
            // would otherwise put the refresh token and the client secret into stored errors.
            let code = (object?["error"] as? String).map { Redactor.clean($0, limit: 64) }
            let detail = (object?["error_description"] as? String).map { ": " + Redactor.clean($0, limit: 300) } ?? ""
            throw OAuthError(code: code, message: "token endpoint answered HTTP \(response.status)\(code.map { " \($0)" } ?? "")\(detail)")
        }
        guard let access = object?["access_token"] as? String, !access.isEmpty else {
            throw OAuthError(code: nil, message: "token endpoint answered without an access_token")
        }
        return Grant(
            accessToken: access, expiresAt: Date().addingTimeInterval(Self.lifetime(object?["expires_in"])),
            refreshToken: (object?["refresh_token"] as? String).flatMap { $0.isEmpty ? nil : $0 })
    }

    /// How long a granted token is used, in seconds: the answer's `expires_in` (a number, or
    /// digits in a string) held to a minute..a day; an hour when it is missing or not a number.
    /// `1e15` once became a date past year 30 million, which crashed the worker.
    static func lifetime(_ value: Any?) -> TimeInterval {
        let seconds: Double? =
            switch value {
            case let number as NSNumber: number.doubleValue
            case let text as String: Double(text)
            default: nil
            }
        guard let seconds, seconds.isFinite else { return 3600 }
        return min(86_400, max(60, seconds))
    }

    /// application/x-www-form-urlencoded: everything but unreserved characters percent-encoded.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
