import BenchSupport
import Foundation
import JobQueue

/// Command-line settings of the queue benchmark.
struct Settings {
    var adminURL = ""
    var jobs = 100_000
    var concurrency = 16
    var batch = 1000
    var prefetch = 1000
    var rounds = 3
    var latencySamples = 500
    var pgbench = "pgbench"
    /// `--volume`: the sustained drain of this many jobs and the history search instead of the
    /// usual rounds.
    var volume = false
    /// `--compare-run-counts`: each round also runs with the history's counting trigger off,
    /// for what the per-minute counts cost (schema version 14).
    var compareRunCounts = false
    var drainJobs = 1_000_000
    var historyRows = 10_000_000

    static func parse() -> Settings {
        var settings = Settings()
        var arguments = Array(CommandLine.arguments.dropFirst())
        while !arguments.isEmpty {
            let name = arguments.removeFirst()
            if name == "--volume" {
                settings.volume = true
                continue
            }
            if name == "--compare-run-counts" {
                settings.compareRunCounts = true
                continue
            }
            guard let value = arguments.first else { fail("\(name) needs a value") }
            arguments.removeFirst()
            switch name {
            case "--url": settings.adminURL = value
            case "--jobs": settings.jobs = Int(value) ?? settings.jobs
            case "--concurrency": settings.concurrency = Int(value) ?? settings.concurrency
            case "--batch": settings.batch = Int(value) ?? settings.batch
            case "--prefetch": settings.prefetch = Int(value) ?? settings.prefetch
            case "--rounds": settings.rounds = max(1, Int(value) ?? settings.rounds)
            case "--latency-samples": settings.latencySamples = Int(value) ?? settings.latencySamples
            case "--pgbench": settings.pgbench = value
            case "--drain-jobs": settings.drainJobs = max(100_000, Int(value) ?? settings.drainJobs)
            case "--history-rows": settings.historyRows = max(1000, Int(value) ?? settings.historyRows)
            default: fail("unknown option \(name)")
            }
        }
        // The sustained drain keeps a claim in flight while the last batch is written: with a
        // prefetch of 1,000 the claim and the write mostly took turns (measured 49,500 jobs/s
        // against 64,039 with 3,000, the same run otherwise).
        if settings.volume && !CommandLine.arguments.contains("--prefetch") { settings.prefetch = 3000 }
        if settings.adminURL.isEmpty { fail("--url CONNINFO (of a database in a throwaway cluster) is required; use scripts/bench-queue") }
        return settings
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
}

func median(_ values: [Double]) -> Double { percentile(values.sorted(), 0.5) }
