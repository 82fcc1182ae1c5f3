import Foundation

/// A job to enqueue. Defaults match what an operator gets from `calworker enqueue KIND`.
public struct NewJob: Sendable, Equatable {
    public var kind: String
    /// A JSON object, as text; validated before it reaches the database.
    public var args: String
    /// Named queue; workers choose which queues they serve.
    public var queue: String = "default"
    /// Lower runs first within a queue; default 0, negative for urgent work.
    public var priority: Int = 0
    /// Attempts before the job is discarded (default 20, as Oban).
    public var maxAttempts: Int = 20
    /// Earliest start; `nil` means now.
    public var runAt: Date?
    /// While a job with this key is queued or running, enqueueing another adds nothing.
    public var uniqueKey: String?
    /// Overrides the kind's own timeout for this job.
    public var timeout: Duration?

    public init(kind: String, args: String = "{}", queue: String = "default", priority: Int = 0,
                maxAttempts: Int = 20, runAt: Date? = nil, uniqueKey: String? = nil, timeout: Duration? = nil) {
        self.kind = kind
        self.args = args
        self.queue = queue
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.uniqueKey = uniqueKey
        self.timeout = timeout
    }

    /// Checks what the database would reject anyway, with messages that say what to fix.
    public func validate() throws(JobQueueError) {
        guard Self.isValidName(kind) else {
            throw JobQueueError(.invalidJob, "kind '\(kind)' must be 1-64 letters, digits, '_' or '-'")
        }
        guard Self.isValidName(queue) else {
            throw JobQueueError(.invalidJob, "queue '\(queue)' must be 1-64 letters, digits, '_' or '-'")
        }
        guard (-32768...32767).contains(priority) else {
            throw JobQueueError(.invalidJob, "priority \(priority) is out of range (-32768...32767)")
        }
        guard maxAttempts >= 1, maxAttempts <= 1000 else {
            throw JobQueueError(.invalidJob, "max attempts \(maxAttempts) must be between 1 and 1000")
        }
        if let uniqueKey, uniqueKey.isEmpty || uniqueKey.utf8.count > 512 {
            throw JobQueueError(.invalidJob, "unique key must be 1-512 bytes")
        }
        if let timeout, timeout <= .zero || timeout > .seconds(86_400 * 7) {
            throw JobQueueError(.invalidJob, "timeout must be between 1ms and 7 days")
        }
        guard let data = args.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data),
              object is [String: Any] else {
            throw JobQueueError(.invalidJob, "args must be a JSON object, e.g. '{\"account_id\": 1}'")
        }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }
    }

    var timeoutMilliseconds: Int? {
        timeout.map { Int($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) }
    }
}

/// What `enqueue` did: a new job, or the live job that already holds the unique key.
public struct EnqueueResult: Sendable, Equatable {
    public var id: Int64
    /// True when nothing was inserted because a live job has the same unique key.
    public var duplicate: Bool

    public init(id: Int64, duplicate: Bool) {
        self.id = id
        self.duplicate = duplicate
    }
}
