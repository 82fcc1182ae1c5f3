import Configuration
import Foundation
import Jobs
import Logging
import Notify
import Postgres
import Scheduling
import Synchronization
import Worker

enum ScheduleCommand {
    static let command = Command(
        name: "schedule",
        summary: "Enqueue scheduled jobs when due, or export jobs/ as a crontab or systemd timers",
        usage: """
                   schedule run [--jobs DIR] [--loop] [--as-of TIME]
                   calworker schedule export --format crontab|systemd [--jobs DIR] [--output DIR] [--binary PATH] [--jobs-path PATH] [--env-file PATH]
            """,
        details: """
            run enqueues every definition whose cron schedule fired since it last did (the newest
            missed fire once, after downtime), recording each fire so that any number of schedulers
            running at once enqueue it once. --loop keeps doing so every 20 seconds until SIGTERM
            (a scheduler container); without it, one pass (cron, a timer, a test). Schedules are read
            in CALWORKER_SCHEDULE_TIME_ZONE (default UTC): a time the clock skips runs right after
            the gap, a time that happens twice runs once.
            export writes what cron or systemd needs to do the same without a scheduler process:
            --format crontab prints an /etc/cron.d file (or writes DIR/calworker); --format systemd
            writes calworker-worker.service and a .service and .timer per scheduled definition to DIR.
            The repository's crontab/ folder is this output, checked by a test against jobs/.
            """,
        options: [
            .value("jobs", "DIR", "the folder of job definitions (default CALWORKER_JOBS_DIR, else jobs/)"),
            .flag("loop", "run: keep going every 20 seconds until SIGTERM or SIGINT"),
            .value("as-of", "TIME", "run: pretend it is TIME (ISO 8601), one pass"),
            .value("format", "F", "export: crontab or systemd"),
            .value("output", "DIR", "export: the folder to write into (crontab: default stdout)"),
            .value("binary", "PATH", "export: the calworker binary on the target host (default /usr/local/bin/calworker)"),
            .value("jobs-path", "PATH", "export: where the definitions live on the target host (default /etc/calworker/jobs)"),
            .value(
                "env-file", "PATH",
                "export: the settings file cron's lines (CALWORKER_ENV_FILE) and the units read (default /etc/calworker/calworker.env)"),
        ]
    ) { arguments, context in
        let action = arguments.positionals.first ?? ""
        let directory = arguments.value("jobs") ?? context.settings.schedule.jobsDirectory
        let definitions: [JobDefinition]
        do throws(JobDefinition.Problem) {
            definitions = try JobDefinition.loadAll(directory: directory)
        } catch {
            throw CLIError(.usage, error.description, hint: "check them with: calworker jobs validate \(directory)")
        }
        if let problem = definitions.lazy.compactMap({ $0.check(with: context.registry) }).first {
            throw CLIError(.usage, problem.description, hint: "check them with: calworker jobs validate \(directory)")
        }
        switch action {
        case "export":
            var options = ScheduleExport.Options()
            options.timeZone = context.settings.schedule.timeZoneName
            if let binary = arguments.value("binary") { options.binary = binary }
            if let path = arguments.value("jobs-path") { options.jobsPath = path }
            if let path = arguments.value("env-file") {
                guard path.hasPrefix("/"), !path.contains(where: { $0.isWhitespace || $0 == "\"" }) else {
                    throw CLIError(.usage, "--env-file must be an absolute path without spaces or quotes, got '\(path)'")
                }
                options.environmentFile = path
            }
            switch arguments.value("format") {
            case "crontab":
                let text = ScheduleExport.crontab(definitions, options)
                if let output = arguments.value("output") {
                    try write(["calworker": text], to: output)
                    context.output.out("wrote \(output)/calworker")
                } else {
                    context.output.out(String(text.dropLast()))
                }
            case "systemd":
                guard let output = arguments.value("output") else {
                    throw CLIError(.usage, "--format systemd needs --output DIR (one file per unit)")
                }
                let units = ScheduleExport.systemd(definitions, options)
                try write(units, to: output)
                context.emit(units.keys.sorted()) { "wrote \(units.count) units to \(output): " + units.keys.sorted().joined(separator: ", ") }
            default:
                throw CLIError(.usage, "export needs --format crontab or --format systemd")
            }
            return .ok
        case "run":
            let zone = context.settings.schedule.timeZone
            let scheduler = Scheduler(definitions: definitions, timeZone: zone, queue: context.queue, catalog: context.registry)
            let db = try context.connectCurrent()
            if let text = arguments.value("as-of") {
                guard let now = TimeText.parse(text) else { throw CLIError(.usage, "--as-of: '\(text)' is not an ISO 8601 time") }
                guard Scheduler.nowRange.contains(now) else {
                    throw CLIError(.usage, "--as-of: '\(text)' is outside 1970-01-01 to 2200-01-01")
                }
                let enqueued = try scheduler.tick(now: now, on: db)
                context.emit(enqueued) { summary(enqueued) }
                return .ok
            }
            guard arguments.has("loop") else {
                let enqueued = try scheduler.tick(on: db)
                context.emit(enqueued) { summary(enqueued) }
                return .ok
            }
            let stop = StopFlag()
            let watchdog = StopWatchdog(gracePeriod: .zero)
            SignalExit.takeOver { signal in
                stop.set()
                watchdog.signalled(signal, holding: 0)
            }
            context.logger.notice("scheduler started", ["definitions": String(definitions.count), "time_zone": zone.identifier])
            var passes = 0
            while !stop.isSet {
                // Every third pass (a minute): whether any worker is alive, from where workers are not.
                if passes % 3 == 0 { checkWorkers(context, db) }
                passes += 1
                do {
                    for item in try scheduler.tick(on: db) {
                        context.logger.info(
                            "scheduled job enqueued",
                            [
                                "definition": item.name, "wall_time": item.wallTime,
                                "job_id": String(item.jobID), "duplicate": String(item.duplicate),
                            ])
                    }
                } catch {
                    context.logger.warning("scheduler pass failed; retrying", ["error": "\(error)"])
                    try? db.reconnect()
                }
                for _ in 0..<200 where !stop.isSet { Thread.sleep(forTimeInterval: 0.1) }
            }
            context.logger.notice("scheduler stopped", [:])
            return .ok
        default:
            throw CLIError(.usage, "usage: calworker schedule run|export (see calworker schedule --help)")
        }
    }

    /// `AlertRun.runWithoutWorkers`: the alerts job runs in a worker, so with every worker gone
    /// only a process like this one can raise that alert and send the digest.
    static func checkWorkers(_ context: CommandContext, _ db: PostgresConnection) {
        do {
            let report = try AlertRun(settings: context.registryEnvironment.notify, db: db, metrics: context.metrics).runWithoutWorkers()
            if report.raised > 0 { context.logger.notice("alert raised by the scheduler", ["raised": String(report.raised)]) }
            if report.failed > 0 { context.logger.warning("alert digest not sent", ["error": report.errors.joined(separator: "; ")]) }
        } catch {
            context.logger.warning("worker check failed; retrying in a minute", ["error": "\(error)"])
        }
    }

    static func summary(_ enqueued: [Scheduler.Enqueued]) -> String {
        if enqueued.isEmpty { return "nothing due" }
        return enqueued.map { "\($0.name) (\($0.wallTime)): job \($0.jobID)\($0.duplicate ? ", already queued" : "")" }.joined(separator: "\n")
    }

    static func write(_ files: [String: String], to directory: String) throws(CLIError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, text) in files {
                try text.write(toFile: (directory as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        } catch {
            throw CLIError(.failure, "cannot write to \(directory): \(error.localizedDescription)")
        }
    }
}

/// Set once from a signal handler's thread, read by the loop.
final class StopFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
