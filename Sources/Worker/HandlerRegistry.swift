import Foundation
public import JobQueue

/// The job kinds a worker can run. Later kinds plug in with `register` and nothing in the
/// worker changes.
public struct HandlerRegistry: Sendable {
    struct Entry: Sendable {
        /// The registered handler, for typed enqueueing (`enqueue(_:_:_:queue:on:)`).
        let handler: any JobHandler
        let timeout: Duration
        let figureMetrics: [FigureMetric]
        let uniqueKey: @Sendable (String) -> String?
        let subject: @Sendable (String) -> String?
        let check: @Sendable (String) throws(JobArgsError) -> Void
        let run: @Sendable (String, JobContext, inout ArgsMemo) throws -> JobResult
    }

    private var entries: [String: Entry] = [:]
    /// The schema these kinds need: a worker refuses to start against any other.
    public let schema: Migrator

    /// - Parameter schema: by default the queue's own tables only (a registry of test kinds).
    public init(schema: Migrator = Migrator(groups: [QueueSchema.migrations])) {
        self.schema = schema
    }

    public mutating func register<H: JobHandler>(_ handler: H) {
        entries[H.kind] = Entry(
            handler: handler,
            timeout: handler.timeout,
            figureMetrics: H.figureMetrics,
            uniqueKey: { text in (try? Self.checked(handler, text)).flatMap { handler.defaultUniqueKey(for: $0.args, checked: $0.checked) } },
            subject: { text in (try? Self.checked(handler, text)).flatMap { handler.subject(for: $0.args, checked: $0.checked) } },
            check: { text throws(JobArgsError) in _ = try Self.checked(handler, text) },
            run: { text, context, memo in
                let job: H.Checked
                if memo.kind == H.kind, memo.text == text, let remembered = memo.checked as? H.Checked {
                    job = remembered
                } else {
                    do { job = try Self.checked(handler, text).checked } catch {
                        return .discard(reason: "invalid args for \(H.kind): \(error)")
                    }
                    memo = ArgsMemo(kind: H.kind, text: text, checked: job)
                }
                return try handler.run(job, context: context)
            })
    }

    public var kinds: [String] { entries.keys.sorted() }

    public func knows(_ kind: String) -> Bool { entries[kind] != nil }

    public func timeout(for kind: String) -> Duration? { entries[kind]?.timeout }

    /// The handler registered for `kind`, as its own type.
    public func handler<H: JobHandler>(_ kind: H.Type) -> H? { entries[H.kind]?.handler as? H }

    /// The unique key the kind asks for when the enqueuer gives none (see `JobParameters`).
    public func defaultUniqueKey(kind: String, args: String) -> String? { entries[kind]?.uniqueKey(args) }

    /// What a job of the kind with these args is about (see `JobParameters.subject`).
    public func subject(kind: String, args: String) -> String? { entries[kind]?.subject(args) }

    /// Each kind's declared figure counters.
    public var figureMetrics: [String: [FigureMetric]] { entries.mapValues(\.figureMetrics) }

    /// Checks a job's args the way the worker will, so `enqueue` can refuse bad ones.
    public func validate(kind: String, args: String) throws(JobArgsError) {
        guard let entry = entries[kind] else {
            throw JobArgsError("unknown job kind '\(Self.clipped(kind))'; known kinds: \(kinds.joined(separator: ", "))")
        }
        try entry.check(args)
    }

    /// Decodes and runs one attempt. Unknown kinds and bad args come back as `.discard`.
    /// `memo` belongs to the calling slot: the last args it decoded and checked, reused when
    /// the next job of the same kind has the same text (fan-outs, `{}`); decoding JSON was a
    /// sixth of the worker's CPU per job.
    func run(kind: String, args: String, context: JobContext, memo: inout ArgsMemo) throws -> JobResult {
        guard let entry = entries[kind] else {
            return .discard(reason: "unknown job kind '\(Self.clipped(kind))': this worker knows \(kinds.joined(separator: ", "))")
        }
        return try entry.run(args, context, &memo)
    }

    /// One attempt of a job the way a worker slot makes it: decoded, checked, run, and an
    /// error that settles the attempt (`JobResult.settled(by:)`) turned into its discard. Any
    /// other error is thrown, for the queue's retry. For running a job outside a worker (tests,
    /// tools).
    public func attempt(kind: String, args: String, context: JobContext) throws -> JobResult {
        var memo = ArgsMemo()
        do {
            return try run(kind: kind, args: args, context: context, memo: &memo)
        } catch {
            guard let settled = JobResult.settled(by: error) else { throw error }
            return settled
        }
    }

    /// A kind as an error quotes it: a row another program wrote may hold megabytes there.
    static func clipped(_ kind: String) -> String { kind.count <= 64 ? kind : String(kind.prefix(64)) + "…" }

    /// The args text decoded and checked: what one attempt does before it runs.
    static func checked<H: JobHandler>(_ handler: H, _ text: String) throws(JobArgsError) -> (args: H.Args, checked: H.Checked) {
        let args = try decode(H.Args.self, text)
        return (args, try handler.validate(args))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws(JobArgsError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch let DecodingError.keyNotFound(key, _) {
            throw JobArgsError("missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw JobArgsError(
                "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type: \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw JobArgsError("field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is null")
        } catch let DecodingError.dataCorrupted(context) {
            throw JobArgsError("args are not valid: \(context.debugDescription)")
        } catch {
            throw JobArgsError("args are not valid: \(error)")
        }
    }
}

/// A slot's last decoded, checked args (see `HandlerRegistry.run`).
struct ArgsMemo {
    var kind = ""
    var text = ""
    var checked: (any Sendable)?
}

/// The registry describes its kinds to enqueuers that have only a kind's name.
extension HandlerRegistry: JobCatalog {}
