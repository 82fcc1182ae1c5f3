public import Basics
import Foundation
public import JobQueue

/// What a job kind does. Handlers are synchronous and run on a worker slot's own thread,
/// so they may block (libpq, libcurl) without stalling anything else.
///
/// A job's arguments are a type (`Args`, a `JobParameters` from module `JobArgs`): producers
/// hand the queue a value and the queue encodes it (`JobQueue.enqueue(_:_:on:)`,
/// `HandlerRegistry.enqueue`); nobody writes job JSON by hand. Each attempt decodes the JSON once and `validate` turns it once into the
/// checked form `run` works on (a thumbnail's plan); a job whose args do not decode or
/// validate is discarded with the reason and never retried. Enqueueing runs the same checks
/// first, so bad args are refused before they reach the queue.
public protocol JobHandler: Sendable {
    associatedtype Args: JobParameters
    /// What `validate` makes of the args: the args themselves unless a kind resolves them
    /// further with the worker's configuration (a backup's default target, a thumbnail's
    /// parsed locations).
    associatedtype Checked: Sendable = Args

    /// How long one attempt may run before it is cancelled and retried. A job's own
    /// `timeout_ms` overrides it.
    var timeout: Duration { get }

    /// The checked form of the args, what `run` works on: their own rules
    /// (`JobParameters.validate`) first, then what only the worker can tell (a target outside
    /// the media root).
    func validate(_ args: Args) throws(JobArgsError) -> Checked

    /// Figures this kind reports that operators want as Prometheus counters (events synced,
    /// bytes written), summed over every run. Figures not listed stay in the run records only.
    static var figureMetrics: [FigureMetric] { get }

    /// The unique key when the enqueuer names none: the args' own (`JobParameters.uniqueKey`)
    /// unless what the worker resolved says more (one backup per target however it was
    /// written or configured).
    func defaultUniqueKey(for args: Args, checked: Checked) -> String?

    /// What the job is about: the args' own (`JobParameters.subject`) unless the resolved
    /// form names it better.
    func subject(for args: Args, checked: Checked) -> String?

    /// Runs one attempt. Throwing means "failed, retry with backoff"; return `.retry(after:)`
    /// or `.discard(reason:)` to say otherwise.
    func run(_ job: Checked, context: JobContext) throws -> JobResult
}

extension JobHandler {
    /// The kind name stored in `calworker.jobs.kind`: the args'.
    public static var kind: String { Args.kind }
    public static var figureMetrics: [FigureMetric] { [] }
    public func defaultUniqueKey(for args: Args, checked: Checked) -> String? { args.uniqueKey }
    public func subject(for args: Args, checked: Checked) -> String? { args.subject }
    public var timeout: Duration { .seconds(300) }
}

extension JobHandler where Checked == Args {
    /// Kinds whose args need no rule beyond their own.
    public func validate(_ args: Args) throws(JobArgsError) -> Args {
        try args.validate()
        return args
    }
}

/// A handler figure exported as a counter: `figure` from `JobFigures`, times `scale`, is
/// added to the counter `metric` (whose name ends in `_total` and carries its base unit,
/// e.g. `calworker_thumbnail_output_bytes_total`).
public struct FigureMetric: Sendable {
    public var figure: String
    public var metric: String
    public var help: String
    /// Converts the figure to the metric's base unit (0.001 for a `_ms` figure in seconds).
    public var scale: Double

    public init(figure: String, metric: String, help: String, scale: Double = 1) {
        self.figure = figure
        self.metric = metric
        self.help = help
        self.scale = scale
    }
}

/// How an attempt ended, from the handler's point of view.
public enum JobResult: Sendable, Equatable {
    /// Done; the figures go into the run record.
    case success(JobFigures = JobFigures())
    /// Run again after `after` without using up an attempt (rate limits, budgets); at most
    /// `longestSnooze` later, whatever a handler computed from a server's answer.
    case retry(after: Duration, reason: String, figures: JobFigures = JobFigures())
    /// Give up now: the job cannot succeed (bad input, account gone).
    case discard(reason: String, figures: JobFigures = JobFigures())
}

extension JobResult {
    /// What an attempt that threw `error` comes to, when the error decides it: a discard with
    /// its message when it says the next attempt would meet it again (`CalworkerError`'s
    /// `isRetryable`); nil when the queue's retry with backoff applies.
    public static func settled(by error: any Error) -> JobResult? {
        guard let failure = error as? any CalworkerError, !failure.isRetryable else { return nil }
        return .discard(reason: failure.description)
    }

    /// The longest a `.retry` puts a job off: 30 days, in seconds.
    public static let longestSnooze: Double = 30 * 86_400

    /// The figures the handler reported, whatever the outcome.
    public var figures: JobFigures {
        switch self {
        case .success(let figures), .retry(_, _, let figures), .discard(_, let figures): figures
        }
    }
}

/// A handler's own numbers for the run record: events fetched, bytes written, ...
/// Keys are stable snake_case names; values are numbers.
public struct JobFigures: Sendable, Equatable {
    public private(set) var values: [String: Double] = [:]

    public init(_ values: [String: Double] = [:]) { self.values = values }

    public mutating func add(_ key: String, _ amount: Double = 1) { values[key, default: 0] += amount }
    public mutating func set(_ key: String, _ value: Double) { values[key] = value }
    public subscript(key: String) -> Double? { values[key] }

    /// A JSON object, integers without a fraction, keys sorted.
    public var json: String {
        if values.isEmpty { return "{}" }
        let body = values.keys.sorted().map { key -> String in
            let value = values[key]!
            let number =
                value.isFinite && value == value.rounded() && abs(value) < 1e15
                ? String(Int64(value)) : (value.isFinite ? String(value) : "null")
            return "\(Self.quote(key)):\(number)"
        }
        return "{" + body.joined(separator: ",") + "}"
    }

    /// JSON string quoting for keys (quotes, backslashes and control characters escaped).
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension JobArgsError: CalworkerError {
    public var errorCode: String { "invalid_args" }
    public var isRetryable: Bool { false }
}
