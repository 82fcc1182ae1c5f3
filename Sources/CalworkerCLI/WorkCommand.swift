import Accounts
import Basics
import CalendarSync
import Configuration
import Foundation
import HTTPServer
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import PushReceiver
import Scheduling
import Worker

enum WorkCommand {
    static let command = Command(
        name: "work",
        summary: "Run jobs until stopped (SIGTERM/SIGINT), or drain what is due with --once",
        usage:
            "work [--queues a,b] [--concurrency N] [--once] [--max-jobs N] [--grace-period D] [--poll-interval D] [--prefetch N] [--claim-batch N] [--no-listen] [--http-addr HOST:PORT [--console]] [--metrics-file PATH.prom] [--pushgateway URL]",
        details: """
            SIGTERM or SIGINT: stop claiming, let running jobs finish within the grace period, then
            hand the rest back to the queue. A second signal hands them back at once. SIGHUP reloads
            the log level (CALWORKER_LOG_LEVEL, or the file CALWORKER_LOG_LEVEL_FILE names, read again;
            not when --log-level was given); templates in CALWORKER_TEMPLATE_DIR are read at each use;
            other settings need a restart.
            Behind a transaction-mode pooler (PgBouncer pool_mode=transaction) set
            CALWORKER_DATABASE_POOLER=transaction: the worker then polls and uses no named prepared
            statements.
            --once is the cron / systemd-timer mode: exit when no due job is left (exit 0 even if
            some jobs failed; their outcomes are in `calworker runs`; exit 1 if the database
            rejected a claim).

            Metrics: a long-running worker serves /metrics, /healthz (alive) and /readyz (database
            reachable, schema current, not stopping) with --http-addr. A --once run from cron writes
            node_exporter's textfile format with --metrics-file, or pushes to a Pushgateway with
            --pushgateway (grouping key job="calworker", instance=<host>); both at exit. A failed
            push or write makes the exit code 1.

            Push: --http-addr also receives Google's push notifications at the path of
            CALWORKER_PUSH_URL (see `calworker receive`).

            Console: --console serves the operator console (see `calworker console --help`) on
            --http-addr's every other path, with the same tokens; off unless given.
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
            .value("http-addr", "HOST:PORT", "serve /metrics, /healthz, /readyz and the push receiver here (e.g. 127.0.0.1:9464)"),
            .flag("console", "with --http-addr: serve the operator console there too"),
            .value("metrics-file", "PATH.prom", "at exit, write the metrics atomically for node_exporter's textfile collector"),
            .value("pushgateway", "URL", "at exit, push the metrics to this Prometheus Pushgateway"),
        ]
    ) { arguments, context in
        var options = WorkerOptions()
        if let queues = arguments.value("queues") {
            options.queues = queues.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !options.queues.isEmpty else { throw CLIError(.usage, "--queues needs at least one queue name") }
            for queue in options.queues where !QueueName.isValid(queue) {
                throw CLIError(.usage, "--queues: '\(queue)' is not a queue name (1-64 letters, digits, '_' or '-')")
            }
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
        options.databaseTimeouts = context.databaseTimeouts
        if let grace = try arguments.duration("grace-period", in: .zero ... .seconds(86_400)) { options.gracePeriod = grace }
        if let poll = try arguments.duration("poll-interval", in: .milliseconds(10) ... .seconds(3600)) { options.pollInterval = poll }

        // A key that cannot decrypt anything would fail every sync job; refuse at start instead.
        _ = try context.accountStore()
        let metricsFile = arguments.value("metrics-file")
        if let metricsFile, !metricsFile.hasSuffix(".prom") {
            throw CLIError(.usage, "--metrics-file must end in .prom (node_exporter's textfile collector reads only those), got '\(metricsFile)'")
        }
        let pushgateway = try arguments.value("pushgateway").map { url throws(CLIError) in
            guard let scheme = URL(string: url)?.scheme, scheme == "http" || scheme == "https" else {
                throw CLIError(.usage, "--pushgateway must be an http(s) URL like http://pushgateway:9091, got '\(url)'")
            }
            return Pushgateway(url: url, metrics: context.metrics)
        }

        let probe = DatabaseProbe(
            url: context.configuration.databaseURL, schema: context.registry.schema,
            preparedStatements: options.preparedStatements)
        context.metrics.addCollector { QueueMetrics.collect(queue: context.queue, probe: probe) }
        context.metrics.addCollector { AccountMetrics.collect(probe: probe) }
        let scheduled = ScheduleMetrics.scheduledNames(directory: context.settings.schedule.jobsDirectory)
        context.metrics.addCollector { ScheduleMetrics.collect(probe: probe, names: scheduled) }
        let pushConfigured = context.registryEnvironment.push != nil
        context.metrics.addCollector { PushMetrics.collect(probe: probe, pushConfigured: pushConfigured) }
        context.metrics.gauge(
            "calworker_build_info", help: "Always 1; the version label says which calworker runs.",
            labels: ["version"]
        ).labels(CLI.version).set(1)
        let worker = Worker(
            databaseURL: context.configuration.databaseURL, registry: context.registry,
            queue: context.queue, options: options, logger: context.logger, metrics: context.metrics)
        if arguments.has("console") && arguments.value("http-addr") == nil {
            throw CLIError(.usage, "--console needs --http-addr to serve it on", hint: "e.g. calworker work --http-addr 127.0.0.1:9464 --console")
        }
        let console = arguments.has("console") ? try ConsoleCommand.makeApp(context) : nil
        let receiver = context.pushReceiver()
        let server = try arguments.value("http-addr").map { address throws(CLIError) in
            try MonitoringServer.start(
                address: address, metrics: context.metrics, probe: probe, receiver: receiver,
                console: console, isStarted: { worker.hasStarted }, isStopping: { worker.isStopping })
        }
        defer { server?.stop() }
        if let server {
            // The receiver's path said once, exactly: a proxy or a CALWORKER_PUSH_URL that
            // disagrees with it is seen at start, not in the accounts that stay on polling.
            context.logger.info(
                "serving metrics and health",
                [
                    "http_addr": arguments.value("http-addr")!, "port": String(server.port), "push_path": receiver.path,
                    "push": context.registryEnvironment.push == nil ? "off" : "on",
                ])
        }
        let watchdog = StopWatchdog(gracePeriod: options.gracePeriod)
        let traps = SignalTrap.install { signal in
            context.logger.notice("signal received; stopping", ["signal": signal == SIGTERM ? "SIGTERM" : "SIGINT"])
            worker.requestStop()
            watchdog.signalled(signal, holding: worker.jobsInHand)
        }
        // A hangup (a closed terminal, `kill -HUP`, the unit's ExecReload) used to end the worker
        // at once with no grace, and systemd counted that as a clean exit. Now it reloads what
        // can change safely under running jobs: the log level (templates in
        // CALWORKER_TEMPLATE_DIR are read at each use already); everything else needs a restart.
        let hangup = SignalTrap.install([SIGHUP]) { _ in Self.reload(context) }
        defer {
            _ = traps
            _ = hangup
        }
        warnIfTokenKeyMissing(context)
        let started = ContinuousClock.now
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
        let code: ExitCode = summary.claimErrors > 0 ? .failure : .ok
        guard metricsFile != nil || pushgateway != nil else { return code }
        return exportBatchMetrics(
            context: context, succeeded: code == .ok, duration: ContinuousClock.now - started,
            file: metricsFile, pushgateway: pushgateway) ? code : .failure
    }

    /// Writes and pushes a finished run's metrics, with the two gauges Prometheus suggests for
    /// batch jobs: how long the run took and when it last succeeded. Returns false if either
    /// export failed (said on stderr).
    static func exportBatchMetrics(
        context: CommandContext, succeeded: Bool, duration: Duration,
        file: String?, pushgateway: Pushgateway?
    ) -> Bool {
        context.metrics.gauge("calworker_work_duration_seconds", help: "How long the last `calworker work` run took.")
            .labels().set(duration.seconds)
        if succeeded {
            context.metrics.gauge(
                "calworker_work_last_success_timestamp_seconds",
                help: "When a `calworker work` run last ended without error (Unix time)."
            )
            .labels().set(Date().timeIntervalSince1970)
        }
        let text = context.metrics.render()
        var exported = true
        if let file {
            do {
                try MetricsTextfile.write(text, to: file)
            } catch {
                context.output.err("error: \(error.message)")
                exported = false
            }
        }
        if let pushgateway {
            do {
                try pushgateway.push(text, replace: succeeded)
            } catch {
                context.output.err("error: \(error.message)")
                if let hint = error.hint { context.output.err("hint: \(hint)") }
                exported = false
            }
        }
        return exported
    }

    /// Without `CALWORKER_TOKEN_KEY` this worker discards every sync it claims (other kinds,
    /// reminders included, need no key): said once at start, with the count of accounts that
    /// would be affected, so a missing secret is found before the run history fills with it.
    /// SIGHUP: reads the configuration again (the environment and every `_FILE`) and applies
    /// the log level to every logger of the process; a value that does not read keeps the old.
    static func reload(_ context: CommandContext) {
        guard let threshold = context.logger.threshold else { return }
        let before = threshold.level
        if context.logLevelFixed {
            context.logger.notice("SIGHUP received: the log level stays as --log-level set it", ["log_level": before.description])
            return
        }
        do {
            let settings = try Settings.load()
            guard let level = LogLevel(name: settings.core.logLevel) else { return }
            threshold.level = level
            context.logger.notice(
                "SIGHUP received: configuration reloaded",
                [
                    "log_level": level.description, "previous_log_level": before.description,
                    "hint": "templates are read at each use; other settings take a restart (SIGTERM drains the worker first)",
                ])
        } catch {
            context.logger.warning("SIGHUP received: the configuration does not read; nothing changed", ["error": "\(error)"])
        }
    }

    static func warnIfTokenKeyMissing(_ context: CommandContext) {
        guard context.tokenCipher == nil, let db = try? context.connect() else { return }
        defer { db.close() }
        guard let count = try? AccountStore(cipher: nil).activeCount(on: db), count > 0 else { return }
        context.logger.warning(
            "CALWORKER_TOKEN_KEY is not set: this worker discards the syncs of connected accounts",
            ["accounts": String(count), "hint": "set CALWORKER_TOKEN_KEY (or _FILE) to the key their tokens were encrypted with"])
    }
}
