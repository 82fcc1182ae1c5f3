import Basics
public import Foundation

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
    /// What the job is about (`account:12`), kept on its run records so history can be found
    /// by it; its kind declares it (`JobHandler.subject(for:)`).
    public var subject: String?

    public init(
        kind: String, args: String = "{}", queue: String = "default", priority: Int = 0,
        maxAttempts: Int = 20, runAt: Date? = nil, uniqueKey: String? = nil, timeout: Duration? = nil, subject: String? = nil
    ) {
        self.kind = kind
        self.args = args
        self.queue = queue
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.uniqueKey = uniqueKey
        self.timeout = timeout
        self.subject = subject
    }

    /// A subject as a job may keep it: at most 512 bytes, cut on a character boundary, none
    /// when empty (a kind's subject comes from args, which may hold anything).
    public static func subject(_ text: String?) -> String? {
        guard var text, !text.isEmpty else { return nil }
        text = text.replacingOccurrences(of: "\u{0}", with: "")
        while text.utf8.count > 512 { text.removeLast() }
        return text.isEmpty ? nil : text
    }

    /// The timeouts a job may set for itself: 1 ms to 7 days.
    public static let timeoutRange: ClosedRange<Duration> = .milliseconds(1) ... .seconds(7 * 86_400)
    /// The largest args accepted, as JSON text: args name things, they do not carry them.
    public static let maxArgsBytes = 1 << 20
    /// The run times a job may ask for: a date before 1970 or after 9999 is a typo, not a plan.
    public static let runAtRange: ClosedRange<Date> = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799)

    /// Checks what the database would reject anyway, with messages that say what to fix.
    public func validate() throws(JobQueueError) {
        guard Self.isValidName(kind) else {
            throw JobQueueError(.invalidJob, "kind '\(Self.clipped(kind))' must be 1-64 letters, digits, '_' or '-'", field: "kind")
        }
        try QueueName.check(queue)
        guard (-32768...32767).contains(priority) else {
            throw JobQueueError(.invalidJob, "priority \(priority) is out of range (-32768...32767)", field: "priority")
        }
        guard maxAttempts >= 1, maxAttempts <= 1000 else {
            throw JobQueueError(.invalidJob, "max attempts \(maxAttempts) must be between 1 and 1000", field: "max_attempts")
        }
        if let subject, subject.isEmpty || subject.utf8.count > 512 || subject.utf8.contains(0) {
            throw JobQueueError(.invalidJob, "subject must be 1-512 bytes, without NUL", field: "subject")
        }
        if let uniqueKey, uniqueKey.isEmpty || uniqueKey.utf8.count > 512 || uniqueKey.utf8.contains(0) {
            throw JobQueueError(.invalidJob, "unique key must be 1-512 bytes, without NUL", field: "unique_key")
        }
        if let timeout, !Self.timeoutRange.contains(timeout) {
            throw JobQueueError(.invalidJob, "timeout must be between 1ms and 7 days", field: "timeout")
        }
        if let runAt, !Self.runAtRange.contains(runAt) {
            throw JobQueueError(.invalidJob, "run time \(runAt) is outside 1970-01-01 to 9999-12-31", field: "run_at")
        }
        try Self.checkArgs(args)
    }

    /// Args as PostgreSQL's `jsonb` takes them: a JSON object of bounded size, without a byte
    /// order mark and without NUL in any string or key (`\u0000`, which jsonb cannot store:
    /// before this check the operator got PostgreSQL's raw error and exit code 1).
    static func checkArgs(_ args: String) throws(JobQueueError) {
        guard args.utf8.count <= maxArgsBytes else {
            throw JobQueueError(.invalidJob, "args are \(args.utf8.count) bytes; at most \(maxArgsBytes) are accepted", field: "args")
        }
        guard args.unicodeScalars.first != "\u{FEFF}" else {
            throw JobQueueError(.invalidJob, "args start with a byte order mark; save the JSON without one", field: "args")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(args.utf8)), object is [String: Any] else {
            throw JobQueueError(.invalidJob, "args must be a JSON object, e.g. '{\"account_id\": 1}'", field: "args")
        }
        guard !containsNUL(object) else {
            throw JobQueueError(.invalidJob, "args contain a NUL character (\\u0000), which PostgreSQL cannot store", field: "args")
        }
    }

    private static func containsNUL(_ value: Any) -> Bool {
        switch value {
        case let text as String: text.unicodeScalars.contains("\0")
        case let object as [String: Any]: object.contains { containsNUL($0.key) || containsNUL($0.value) }
        case let array as [Any]: array.contains(where: containsNUL)
        default: false
        }
    }

    /// The start of a value an operator may have pasted by mistake (a megabyte of it).
    static func clipped(_ text: String) -> String {
        text.count <= 64 ? text : String(text.prefix(64)) + "…"
    }

    /// A kind's name follows the queue's rule.
    static func isValidName(_ name: String) -> Bool { QueueName.isValid(name) }

    var timeoutMilliseconds: Int? {
        timeout.map { Int($0.wholeMilliseconds) }
    }
}

/// What `enqueue` did: a new job, or the live job that already holds the unique key.
public struct EnqueueResult: Sendable, Equatable {
    public var id: Int64
    /// True when nothing was inserted because a live job has the same unique key.
    public var duplicate: Bool
    /// The queue of the job `id` names: for a duplicate, the holder's, which may not be the
    /// queue asked for.
    public var queue: String
    /// When that job runs.
    public var runAt: Date

    public init(id: Int64, duplicate: Bool, queue: String, runAt: Date) {
        self.id = id
        self.duplicate = duplicate
        self.queue = queue
        self.runAt = runAt
    }
}
