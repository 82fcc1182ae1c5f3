import Configuration
import Foundation
import JobQueue
import Worker

enum WorkCommand {
    static let command = Command(
        name: "work",
        summary: "Run jobs until stopped (SIGTERM/SIGINT), or drain what is due with --once",
        usage: "work [--queues a,b] [--concurrency N] [--once] [--max-jobs N] [--grace-period D] [--poll-interval D] [--prefetch N] [--no-listen]",
        details: """
        SIGTERM or SIGINT: stop claiming, let running jobs finish within the grace period, then
        hand the rest back to the queue. A second signal hands them back at once.
        Behind a transaction-mode pooler (PgBouncer pool_mode=transaction) set
        CALWORKER_DATABASE_POOLER=transaction: the worker then polls and uses no named prepared
        statements.
        --once is the cron / systemd-timer mode: exit when no due job is left (exit 0 even if
        some jobs failed; their outcomes are in `calworker runs`; exit 1 if the database
        rejected a claim).
        """,
        options: [
            .value("queues", "a,b", "queues to serve (default: default)"),
            .value("concurrency", "N", "jobs run at once, each on its own thread (default 10)"),
            .flag("once", "drain the due jobs, then exit"),
            .value("max-jobs", "N", "exit after this many jobs"),
            .value("grace-period", "D", "time for running jobs to finish after SIGTERM (default 30s)"),
            .value("poll-interval", "D", "look for due jobs this often without a NOTIFY (default 1s)"),
            .value("claim-batch", "N", "most jobs claimed per statement (default 100)"),
            .value("prefetch", "N", "jobs claimed ahead of free slots, for short jobs under load (default 0)"),
            .flag("no-listen", "do not LISTEN (behind a transaction-mode pooler); poll only"),
        ]
    ) { arguments, context in
        var options = WorkerOptions()
        if let queues = arguments.value("queues") {
            options.queues = queues.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !options.queues.isEmpty else { throw CLIError(.usage, "--queues needs at least one queue name") }
        }
        if let concurrency = try arguments.int("concurrency", range: 1...1000) { options.concurrency = concurrency }
        if let maxJobs = try arguments.int("max-jobs", range: 1...Int(Int32.max)) { options.maxJobs = maxJobs }
        if let batch = try arguments.int("claim-batch", range: 1...10_000) { options.claimBatch = batch }
        if let prefetch = try arguments.int("prefetch", range: 0...100_000) { options.prefetch = prefetch }
        options.once = arguments.has("once")
        options.listen = !arguments.has("no-listen")
        if !context.configuration.usesPreparedStatements {
            // Behind a transaction-mode pooler LISTEN would hold nothing and named prepared
            // statements would reach sessions that never saw them.
            options.listen = false
            options.preparedStatements = false
        }
        options.version = CLI.version
        if let grace = try duration(arguments, "grace-period") { options.gracePeriod = grace }
        if let poll = try duration(arguments, "poll-interval") { options.pollInterval = poll }

        let worker = Worker(databaseURL: context.configuration.databaseURL, registry: context.registry,
                            queue: context.queue, options: options, logger: context.logger)
        let traps = SignalTrap.install { signal in
            context.logger.notice("signal received; stopping", ["signal": signal == SIGTERM ? "SIGTERM" : "SIGINT"])
            worker.requestStop()
        }
        defer { _ = traps }
        let summary: WorkerSummary
        do {
            summary = try worker.run()
        } catch let error as WorkerStartError {
            if error.message.contains("schema") { throw CLIError(.schema, error.message) }
            throw CLIError(.unavailable, error.message, hint: "check CALWORKER_DATABASE_URL and that PostgreSQL is up")
        }
        context.emit(summary) {
            "worker \(options.workerID): claimed \(summary.claimed), completed \(summary.completed), failed \(summary.failed), "
                + "snoozed \(summary.snoozed), discarded \(summary.discarded), cancelled \(summary.cancelled), "
                + "handed back \(summary.handedBack), rescued \(summary.rescued)"
                + (summary.claimErrors > 0 ? ", claim errors \(summary.claimErrors) (see the log)" : "")
        }
        return summary.claimErrors > 0 ? .failure : .ok
    }

    static func duration(_ arguments: ParsedArguments, _ name: String) throws(CLIError) -> Duration? {
        guard let text = arguments.value(name) else { return nil }
        guard let value = DurationText.parse(text), value > .zero else {
            throw CLIError(.usage, "--\(name) must be a duration like 500ms, 30s or 2m, got '\(text)'")
        }
        return value
    }
}
