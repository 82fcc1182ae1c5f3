import HTTPServer

/// A failure the emulator can inject, each answered the way Google answers it.
public enum FaultKind: String, Sendable, CaseIterable {
    /// 403 `usageLimits`/`rateLimitExceeded` "Rate Limit Exceeded".
    case rateLimit403
    /// 403 `usageLimits`/`userRateLimitExceeded` "User Rate Limit Exceeded".
    case userRateLimit403
    /// 429 `usageLimits`/`rateLimitExceeded` with `Retry-After: 1`.
    case rateLimit429
    /// 403 `usageLimits`/`quotaExceeded` "Calendar usage limits exceeded.": the account is over
    /// its daily limits; a client should pause it for hours.
    case quotaExceeded
    /// 500 `backendError`.
    case serverError
    /// 503 `backendError` "The service is currently unavailable."
    case serviceUnavailable
    /// The connection is closed without an answer, before the request is applied.
    case drop
    /// The request is applied, then the connection is closed without an answer: the write
    /// happened although the client saw a failure (its retry then meets a 409 or a changed etag).
    case dropAfterApply

    /// The response for the kinds that answer (nil for the two drops).
    var error: GoogleAPIError? {
        switch self {
        case .rateLimit403:
            GoogleAPIError(code: 403, domain: "usageLimits", reason: "rateLimitExceeded", message: "Rate Limit Exceeded", status: "PERMISSION_DENIED")
        case .userRateLimit403:
            GoogleAPIError(
                code: 403, domain: "usageLimits", reason: "userRateLimitExceeded", message: "User Rate Limit Exceeded", status: "PERMISSION_DENIED")
        case .rateLimit429:
            {
                var error = GoogleAPIError(
                    code: 429, domain: "usageLimits", reason: "rateLimitExceeded", message: "Rate Limit Exceeded", status: "RESOURCE_EXHAUSTED")
                error.headers = [("Retry-After", "1")]
                return error
            }()
        case .quotaExceeded:
            GoogleAPIError(
                code: 403, domain: "usageLimits", reason: "quotaExceeded", message: "Calendar usage limits exceeded.", status: "PERMISSION_DENIED")
        case .serverError:
            GoogleAPIError(code: 500, reason: "backendError", message: "Backend Error", status: "INTERNAL")
        case .serviceUnavailable:
            GoogleAPIError(code: 503, reason: "backendError", message: "The service is currently unavailable.", status: "UNAVAILABLE")
        case .drop, .dropAfterApply:
            nil
        }
    }
}

/// The fault switches: a random rate over some kinds (seeded), and a queue of exact faults
/// ("the next N API requests fail with K") that tests use to inject exactly one failure.
struct FaultState: Sendable {
    var rate = 0.0
    var kinds: [FaultKind] = []
    var seed: UInt64 = 0
    var includeTokenEndpoint = false
    var queue: [(kind: FaultKind, remaining: Int)] = []
    var generator = SplitMix64(seed: 0)

    static let defaultKinds: [FaultKind] = [.rateLimit403, .rateLimit429, .serverError]

    /// The fault for the next request, if any; consumes the queue and the generator.
    mutating func draw(isTokenEndpoint: Bool) -> FaultKind? {
        if isTokenEndpoint && !includeTokenEndpoint { return nil }
        if !queue.isEmpty {
            let kind = queue[0].kind
            queue[0].remaining -= 1
            if queue[0].remaining <= 0 { queue.removeFirst() }
            return kind
        }
        guard rate > 0 else { return nil }
        guard generator.unit() < rate else { return nil }
        let pool = kinds.isEmpty ? Self.defaultKinds : kinds
        return pool[Int(generator.next() % UInt64(pool.count))]
    }

    var json: JSONValue {
        .object([
            "rate": .double(rate), "kinds": .array(kinds.map { .string($0.rawValue) }), "seed": .int(Int64(bitPattern: seed)),
            "includeTokenEndpoint": .bool(includeTokenEndpoint),
            "next": .array(queue.map { .object(["kind": .string($0.kind.rawValue), "count": .int(Int64($0.remaining))]) }),
        ])
    }
}
