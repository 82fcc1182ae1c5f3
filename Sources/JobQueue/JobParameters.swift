/// A job kind's arguments as a type, and everything the queue needs to know about them: the
/// kind they belong to, the rules the decoder cannot express, the unique key that keeps such
/// jobs from piling up, and what the job is about. Like swift-jobs' `JobParameters`, the args
/// live below the handlers (module `JobArgs`), so any module that queues work (the push inbox,
/// the console) builds a value and enqueues it (`JobQueue.enqueue(_:_:on:)`) without knowing
/// the handler that will run it.
public protocol JobParameters: Codable, Sendable {
    /// The kind name stored in `calworker.jobs.kind`.
    static var kind: String { get }

    /// Ranges, allowed values and combinations; the same check runs when the job is enqueued
    /// and when an attempt decodes it, so bad args never reach the queue.
    func validate() throws(JobArgsError)

    /// The key a job with these args gets when its enqueuer names none: jobs that must not
    /// pile up (one sync per account) say so here, so cron and operators cannot forget it.
    var uniqueKey: String? { get }

    /// What the job is about (`account:12`): kept on its run records, so an operator finds
    /// every attempt for an account with `runs --account 12`, long after the job rows are gone.
    var subject: String? { get }
}

extension JobParameters {
    public func validate() throws(JobArgsError) {}
    public var uniqueKey: String? { nil }
    public var subject: String? { nil }
}

/// A job's arguments are wrong; retrying cannot help.
public struct JobArgsError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
