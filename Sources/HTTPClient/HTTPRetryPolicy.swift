import Basics
public import Foundation
import Metrics

/// When and how long to wait before sending a request again: on transport failures, 5xx and
/// 429, with exponential backoff and full jitter, honouring the server's `Retry-After` as the
/// least it waits. A wait longer than an attempt may sleep (`AttemptWaits`) is not slept: the
/// send ends with `HTTPError.retryLater` carrying the wait, and the job is snoozed for it.
public struct HTTPRetryPolicy: Sendable {
    /// Attempts in all, the first included. 1 means no retry.
    public var maxAttempts: Int = 3
    /// The first wait; doubled each time. Default 0.5 s.
    public var baseDelay: Duration = .milliseconds(500)
    /// The longest of calworker's own backoff waits. A server's `Retry-After` may ask for more;
    /// whether that is slept is `AttemptWaits`' decision. Default 30 s.
    public var maxDelay: Duration = .seconds(30)

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retries.
    public static let none = HTTPRetryPolicy(maxAttempts: 1)

    /// Why a response or failure deserves another attempt, or nil if it does not.
    public static func reason(for outcome: Result<HTTPResponse, HTTPError>) -> String? {
        switch outcome {
        case .success(let response) where response.status == 429: "rate_limited"
        case .success(let response) where [500, 502, 503, 504].contains(response.status): "server_error"
        case .success: nil
        case .failure(let error): error.kind == .transport ? "transport" : nil
        }
    }

    /// calworker's own wait before attempt `attempt + 1` (attempt counts from 1):
    /// `base × 2^(attempt-1)` with full jitter, never above `maxDelay`.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(0, attempt - 1), 20)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        return .milliseconds(Int64(Double.random(in: 0.5...1.0) * ceiling.milliseconds))
    }

    /// The wait before attempt `attempt + 1`: the backoff, or the server's `Retry-After` when
    /// it asks for longer (it says how long at least; `Retry-After: 0` does not make a retry
    /// loop without pause). An unreadable `Retry-After` (negative, fractional, garbage) is none.
    public func delay(afterAttempt attempt: Int, retryAfter: String?, now: Date = Date()) -> Duration {
        let backoff = backoff(afterAttempt: attempt)
        guard let retryAfter, let seconds = Self.parseRetryAfter(retryAfter, now: now) else { return backoff }
        return max(backoff, .milliseconds(Int64(seconds * 1000)))
    }

    /// The longest wait a server's `Retry-After` is taken at: an hour. A server asking for more
    /// (or for `9223372036854775807` seconds, which overflowed and crashed the worker) gets an
    /// hour: the job snoozes that long and asks again.
    public static let longestRetryAfter: Double = 3600

    /// `Retry-After` in seconds, from 0 to `longestRetryAfter`: either delay-seconds or an
    /// HTTP-date (RFC 9110 §10.2.3). Nil when it is neither.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) {
            // Any run of digits is a delay, however long; past an hour it is an hour.
            return min(longestRetryAfter, Double(text) ?? longestRetryAfter)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        let seconds = date.timeIntervalSince(now)
        guard seconds.isFinite else { return nil }
        return min(longestRetryAfter, max(0, seconds))
    }
}

extension HTTPClient {
    /// Sends with retries under `policy`, sleeping between attempts (interruptibly, through
    /// `shouldAbort`) as long as `AttemptWaits` allows. Returns the last response, which may
    /// still be an error status when the attempts (or the attempt's time) ran out; throws the
    /// last transport error likewise, and `.retryLater` with the wait when the next try is
    /// further off than an attempt sleeps.
    public func send(
        _ request: HTTPRequest, retry policy: HTTPRetryPolicy,
        shouldAbort: (@Sendable () -> Bool)? = nil
    ) throws(HTTPError) -> HTTPResponse {
        var attempt = 1
        while true {
            let outcome: Result<HTTPResponse, HTTPError>
            do { outcome = .success(try send(request, shouldAbort: shouldAbort)) } catch { outcome = .failure(error) }
            guard attempt < policy.maxAttempts, let reason = HTTPRetryPolicy.reason(for: outcome) else {
                return try outcome.get()
            }
            let response = try? outcome.get()
            let wait = policy.delay(afterAttempt: attempt, retryAfter: response?.header("Retry-After"))
            switch AttemptWaits.decide(wait) {
            case .noTime:
                return try outcome.get()
            case .later(let wait):
                let answer = response.map { "answered HTTP \($0.status)" } ?? "failed"
                throw HTTPError(
                    .retryLater,
                    "\(request.method) \(Self.redact(request.url)) \(answer); the next try is due in \(AttemptWaits.describe(wait)), "
                        + "longer than this attempt waits, so the job comes back then",
                    requestedWait: wait)
            case .sleep(let wait):
                metrics.retries.labels(service, reason).increment()
                if reason == "rate_limited" { metrics.rateLimitBackoffs.labels(service).increment() }
                guard AttemptWaits.sleep(wait, shouldAbort: shouldAbort) else {
                    throw HTTPError(.aborted, "\(request.method) \(Self.redact(request.url)) stopped while waiting to retry")
                }
            }
            attempt += 1
        }
    }
}
