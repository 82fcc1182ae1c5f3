public import Foundation
public import JobQueue
public import Postgres

/// How a typed job is queued, besides its args. Every default is `NewJob`'s.
public struct JobOptions: Sendable {
    public var queue: String
    public var priority: Int
    public var maxAttempts: Int
    /// Earliest start; nil means now.
    public var runAt: Date?
    /// Replaces the kind's own unique key (`JobHandler.defaultUniqueKey`).
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

extension JobQueue {
    /// Enqueues a job of `handler`'s kind from its args: encoded here, checked the way the
    /// worker will check them, and keyed by the kind's own unique key unless `options` name
    /// one. This is how jobs are produced; nobody writes job JSON or a unique key by hand.
    public func enqueue<H: JobHandler>(
        _ handler: H, _ args: H.Args, _ options: JobOptions = JobOptions(),
        on db: PostgresConnection
    ) throws -> EnqueueResult {
        try enqueue(try Self.job(handler, args, options), on: db)
    }

    /// The same for many jobs in one statement (fan-outs); returns the ids inserted.
    @discardableResult
    public func enqueueMany<H: JobHandler>(
        _ handler: H, _ args: [H.Args], _ options: JobOptions = JobOptions(),
        on db: PostgresConnection
    ) throws -> [Int64] {
        try enqueueMany(try args.map { args throws in try Self.job(handler, args, options) }, on: db)
    }

    /// The row a job's args make: JSON with sorted keys (equal args are equal text), proven to
    /// decode and validate as an attempt will, with the kind's unique key.
    public static func job<H: JobHandler>(_ handler: H, _ args: H.Args, _ options: JobOptions) throws -> NewJob {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(args), as: UTF8.self)
        let checked = try HandlerRegistry.checked(handler, text)
        return NewJob(
            kind: H.kind, args: text, queue: options.queue, priority: options.priority, maxAttempts: options.maxAttempts,
            runAt: options.runAt, uniqueKey: options.uniqueKey ?? handler.defaultUniqueKey(for: checked),
            timeout: options.timeout, subject: NewJob.subject(handler.subject(for: checked)))
    }
}

extension HandlerRegistry {
    /// Enqueues a job of a registered kind from its args (see `JobQueue.enqueue(_:_:_:on:)`).
    /// Through the registry because a kind's unique key may depend on how it was configured
    /// (a backup's default target).
    public func enqueue<H: JobHandler>(
        _ kind: H.Type, _ args: H.Args, _ options: JobOptions = JobOptions(),
        queue: JobQueue, on db: PostgresConnection
    ) throws -> EnqueueResult {
        guard let handler = handler(kind) else { throw JobArgsError("job kind '\(H.kind)' is not registered with this worker") }
        return try queue.enqueue(handler, args, options, on: db)
    }
}
