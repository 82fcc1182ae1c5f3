public import Postgres

/// What enqueueing needs to know about a job kind it has only by name (a definition file,
/// `calworker enqueue KIND`, a scheduler's fire): whether the args are the kind's, the kind's
/// unique key and what the job is about. The worker's handler registry is one; every enqueue
/// by name goes through `JobQueue.enqueue(_:describedBy:on:)`, so a job from cron, the
/// scheduler or the command line is keyed and described exactly as a typed enqueue is.
public protocol JobCatalog: Sendable {
    /// Throws when `args` are not what `kind` accepts (or the kind is unknown).
    func validate(kind: String, args: String) throws
    /// The kind's own unique key for these args, when the enqueuer named none.
    func defaultUniqueKey(kind: String, args: String) -> String?
    /// What a job of the kind with these args is about (`account:12`).
    func subject(kind: String, args: String) -> String?
}

extension JobQueue {
    /// Enqueues a job given by kind name: checked as an attempt will check it, with the kind's
    /// unique key (unless the job names one) and its subject.
    public func enqueue(_ job: NewJob, describedBy catalog: any JobCatalog, on db: PostgresConnection) throws -> EnqueueResult {
        try enqueue(try Self.described(job, by: catalog), on: db)
    }

    /// The job as `enqueue(_:describedBy:on:)` inserts it.
    public static func described(_ job: NewJob, by catalog: any JobCatalog) throws -> NewJob {
        var job = job
        try job.validate()
        try catalog.validate(kind: job.kind, args: job.args)
        if job.uniqueKey == nil { job.uniqueKey = catalog.defaultUniqueKey(kind: job.kind, args: job.args) }
        job.subject = NewJob.subject(catalog.subject(kind: job.kind, args: job.args))
        return job
    }
}
