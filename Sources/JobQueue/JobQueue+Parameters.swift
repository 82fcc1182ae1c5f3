import Foundation
public import Postgres

extension JobQueue {
    /// Enqueues a job from its args: encoded here, checked by the args' own rules, keyed by
    /// their unique key unless `options` name one, and described by their subject. This is how
    /// modules below the handlers queue work (a push notification's sync); nobody writes job
    /// JSON or a unique key by hand.
    public func enqueue<Args: JobParameters>(_ args: Args, _ options: JobOptions = JobOptions(), on db: PostgresConnection) throws
        -> EnqueueResult
    {
        try enqueue(try Self.job(args, options), on: db)
    }

    /// The same for many jobs in one statement (fan-outs); returns the ids inserted.
    @discardableResult
    public func enqueueMany<Args: JobParameters>(_ args: [Args], _ options: JobOptions = JobOptions(), on db: PostgresConnection) throws
        -> [Int64]
    {
        try enqueueMany(try args.map { args throws in try Self.job(args, options) }, on: db)
    }

    /// The row a job's args make, as `enqueue(_:_:on:)` inserts it.
    public static func job<Args: JobParameters>(_ args: Args, _ options: JobOptions) throws -> NewJob {
        try args.validate()
        return NewJob(
            kind: Args.kind, args: try encodedArgs(args), queue: options.queue, priority: options.priority,
            maxAttempts: options.maxAttempts, runAt: options.runAt, uniqueKey: options.uniqueKey ?? args.uniqueKey,
            timeout: options.timeout, subject: NewJob.subject(args.subject))
    }

    /// Args as the queue stores them: JSON with sorted keys, so equal args are equal text.
    public static func encodedArgs(_ args: some JobParameters) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(args), as: UTF8.self)
    }
}
