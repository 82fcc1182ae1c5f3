import Basics
import Foundation

/// What every benchmark executable needs: its options, a stopwatch, figures printed alike.
/// Benchmarks are not tests; these helpers are theirs alone.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// The value after `--name` on the command line.
public func argument(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

/// The whole number after `--name`, or `fallback`.
public func option(_ name: String, _ fallback: Int) -> Int {
    argument(name).flatMap { Int($0) } ?? fallback
}

/// Wall time of `body`, in seconds.
public func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return seconds(since: start)
}

/// Wall time since `start`, in seconds.
public func seconds(since start: ContinuousClock.Instant) -> Double {
    (ContinuousClock.now - start).seconds
}

/// Peak resident memory of this process so far, in MiB.
public func peakMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// A figure with `digits` decimals.
public func fmt(_ value: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", value) }

/// Stops the benchmark with `message` on stderr and exit code 1.
public func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

/// The middle value (the upper one of an even count).
public func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
