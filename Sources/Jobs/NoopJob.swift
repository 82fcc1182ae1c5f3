public import Basics
import Foundation
public import JobArgs
public import Worker

/// Does nothing, on purpose: a deployment smoke test (`calworker enqueue noop`), the queue
/// benchmark's job, and a tool for drills (slow jobs, failures, retries).
public struct NoopJob: JobHandler {
    public typealias Args = NoopArgs

    public static let figureMetrics = [
        FigureMetric(
            figure: "slept_ms", metric: "calworker_noop_sleep_seconds_total",
            help: "Time noop jobs spent sleeping as asked (a drill's load, visible in Prometheus).", scale: 0.001)
    ]
    public let timeout: Duration

    public init(timeout: Duration = .seconds(300)) { self.timeout = timeout }

    public func run(_ args: Args, context: JobContext) throws -> JobResult {
        if let sleep = args.sleepMs, sleep > 0 {
            let start = ContinuousClock.now
            let end = start + .milliseconds(sleep)
            let progress = context.progress()
            while ContinuousClock.now < end {
                try context.checkStop()
                progress.report(["slept_ms": String(Int((ContinuousClock.now - start).seconds * 1000)), "sleep_ms": String(sleep)])
                let left = end - ContinuousClock.now
                Thread.sleep(forTimeInterval: min(0.01, max(0, left.seconds)))
            }
        }
        // A figure only when there is something to report: the benchmark's empty noop jobs
        // should cost what an empty job costs.
        let figures = (args.sleepMs ?? 0) > 0 ? JobFigures(["slept_ms": Double(args.sleepMs!)]) : JobFigures()
        switch args.fail {
        case "retry": throw NoopFailure()
        case "discard": return .discard(reason: "noop asked to be discarded", figures: figures)
        default: return .success(figures)
        }
    }
}

/// The failure `noop` raises when asked to (`{"fail": "retry"}`).
public struct NoopFailure: Error, CustomStringConvertible {
    public var description: String { "noop asked to fail" }
}

extension NoopFailure: CalworkerError {
    public var errorCode: String { "noop" }
    public var message: String { description }
    /// A drill of the retry path.
    public var isRetryable: Bool { true }
}
