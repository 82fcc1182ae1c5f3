public import JobQueue
public import Postgres

extension JobQueue {
    /// Enqueues a job of `handler`'s kind from its args, checked and keyed as the handler
    /// will check and key them (its configuration may resolve more than the args say: a
    /// backup's default target). The path of the handlers' own fan-outs.
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

    /// The row a job's args make: proven to decode and validate as an attempt will, with the
    /// handler's unique key and subject.
    public static func job<H: JobHandler>(_ handler: H, _ args: H.Args, _ options: JobOptions) throws -> NewJob {
        let text = try encodedArgs(args)
        let (decoded, checked) = try HandlerRegistry.checked(handler, text)
        return NewJob(
            kind: H.kind, args: text, queue: options.queue, priority: options.priority, maxAttempts: options.maxAttempts,
            runAt: options.runAt, uniqueKey: options.uniqueKey ?? handler.defaultUniqueKey(for: decoded, checked: checked),
            timeout: options.timeout, subject: NewJob.subject(handler.subject(for: decoded, checked: checked)))
    }
}

extension HandlerRegistry {
    /// Enqueues a job of a registered kind from its args, exactly as `calworker enqueue`, a
    /// definition file or the scheduler would by name (`JobQueue.enqueue(_:describedBy:on:)`):
    /// through the registry because a kind's unique key may depend on how it was configured
    /// (a backup's default target).
    public func enqueue<Args: JobParameters>(
        _ args: Args, _ options: JobOptions = JobOptions(), queue: JobQueue, on db: PostgresConnection
    ) throws -> EnqueueResult {
        guard knows(Args.kind) else { throw JobArgsError("job kind '\(Args.kind)' is not registered with this worker") }
        var job = try JobQueue.job(args, options)
        if options.uniqueKey == nil { job.uniqueKey = nil }
        return try queue.enqueue(job, describedBy: self, on: db)
    }
}
