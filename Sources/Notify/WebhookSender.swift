public import Basics
import Crypto
public import Foundation
public import HTTPClient

/// Webhooks: a JSON POST signed with HMAC-SHA256 under a shared secret, the way GitHub and
/// Stripe sign theirs, so the receiver can check it came from calworker and was not replayed.
///
///     X-Calworker-Delivery:  a stable id per notification (the receiver's idempotency key)
///     X-Calworker-Timestamp: seconds since 1970
///     X-Calworker-Signature: sha256=HEX(HMAC-SHA256(secret, timestamp + "." + body))
///
/// 5xx, 429 and timeouts are retried with backoff; other answers are final.
public struct WebhookSender: Sendable {
    let http: HTTPClient
    let secret: String
    let retry = HTTPRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(500), maxDelay: .seconds(10))

    public init(http: HTTPClient, secret: String) {
        self.http = http
        self.secret = secret
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var retryable: Bool
        public var description: String
        /// The receiver asked for a wait longer than an attempt sleeps (`Retry-After`): the
        /// message is tried again after it, not sooner.
        public var requestedWait: Duration?
    }

    /// The signature header's value for `body` sent at `timestamp`.
    public static func signature(secret: String, timestamp: Int, body: Data) -> String {
        "sha256=" + Digest.hex(Digest.hmacSHA256(key: Array(secret.utf8), Array("\(timestamp).".utf8) + [UInt8](body)))
    }

    public func send(to url: String, body: Data, deliveryID: String, now: Date = Date()) throws(Failure) {
        let timestamp = Int(now.timeIntervalSince1970)
        var request = HTTPRequest(
            method: "POST", url: url,
            headers: [
                HTTPHeader("Content-Type", "application/json"), HTTPHeader("X-Calworker-Delivery", deliveryID),
                HTTPHeader("X-Calworker-Timestamp", String(timestamp)),
                HTTPHeader("X-Calworker-Signature", Self.signature(secret: secret, timestamp: timestamp, body: body)),
            ], body: body)
        request.timeout = .seconds(15)
        let response: HTTPResponse
        do {
            response = try http.send(request, retry: retry)
        } catch {
            throw Failure(
                retryable: error.isRetryable, description: "webhook \(HTTPClient.redact(url)): \(error.message)",
                requestedWait: error.requestedWait)
        }
        guard response.isSuccess else {
            throw Failure(
                retryable: response.status >= 500 || response.status == 429,
                description: "webhook \(HTTPClient.redact(url)) answered HTTP \(response.status)")
        }
    }
}

extension WebhookSender.Failure: CalworkerError {
    public var errorCode: String { retryable ? "webhook_unavailable" : "webhook_refused" }
    public var message: String { description }
    public var isRetryable: Bool { retryable }
}
