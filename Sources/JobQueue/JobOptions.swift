public import Foundation

/// How a typed job is queued, besides its args. Every default is `NewJob`'s.
public struct JobOptions: Sendable {
    public var queue: String
    public var priority: Int
    public var maxAttempts: Int
    /// Earliest start; nil means now.
    public var runAt: Date?
    /// Replaces the kind's own unique key (`JobParameters.uniqueKey`).
    public var uniqueKey: String?
    /// Replaces the kind's own timeout.
    public var timeout: Duration?

    public init(
        queue: String = "default", priority: Int = 0, maxAttempts: Int = 20, runAt: Date? = nil,
        uniqueKey: String? = nil, timeout: Duration? = nil
    ) {
        self.queue = queue
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.uniqueKey = uniqueKey
        self.timeout = timeout
    }
}
