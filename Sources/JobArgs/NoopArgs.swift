public import JobQueue

/// `noop`: does nothing, on purpose (a deployment smoke test, the queue benchmark's job, and
/// drills of slow jobs, failures and retries).
public struct NoopArgs: JobParameters, Equatable {
    public static let kind = "noop"

    /// Sleep this long, waking every 10 ms to honour cancellation and timeouts.
    public var sleepMs: Int?
    /// `"retry"` fails the attempt (retried with backoff); `"discard"` gives up at once.
    public var fail: String?

    public init(sleepMs: Int? = nil, fail: String? = nil) {
        self.sleepMs = sleepMs
        self.fail = fail
    }

    public func validate() throws(JobArgsError) {
        if let sleepMs, !(0...86_400_000).contains(sleepMs) {
            throw JobArgsError("sleep_ms must be between 0 and 86400000, got \(sleepMs)")
        }
        if let fail, fail != "retry", fail != "discard" {
            throw JobArgsError("fail must be \"retry\" or \"discard\", got \"\(fail)\"")
        }
    }

    enum CodingKeys: String, CodingKey {
        case sleepMs = "sleep_ms"
        case fail
    }
}
