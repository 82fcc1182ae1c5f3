import Accounts
import Basics
import CalendarSync
import Configuration
import Foundation
import JobQueue
import Jobs
import Push

enum StatusCommand {
    struct Report: Encodable {
        var workers: [WorkerRecord]
        var queues: [QueueStatistics.Depth]
        var problems: [QueueStatistics.RecentRuns]
        var workersStale: Int
        /// Accounts an operator must act on: needing re-auth, or paused for quota.
        var accountsNeedingAttention: [Account]
        /// With push configured: active accounts without working channels, polled every five
        /// minutes instead (nil without push, where every account is polled by design).
        var accountsOnPolling: [Int64]?
    }

    static let command = Command(
        name: "status",
        summary: "One screen for an operator: workers, queue depth, recent failures",
        usage: "status [--since D]",
        details: """
            Workers alive (heartbeat within the lease), queue depth and the oldest due job by queue,
            and attempts that failed, were discarded or were lost in the last hour (--since) by
            kind, with the newest error. Exit 0 whatever it shows; for alerting use `calworker
            metrics` or the workers' /metrics.
            """,
        options: [
            .value("since", "D", "window for failures (default 1h)")
        ]
    ) { arguments, context in
        let window = try arguments.duration("since", in: .seconds(1)...DurationText.maximum) ?? .seconds(3600)
        let db = try context.connectCurrent()
        let statistics = try context.queue.statistics(recent: window, on: db)
        let workers = try WorkerRegistry.list(on: db)
        let problems = statistics.recentRuns.filter { ["failed", "discarded", "lost"].contains($0.outcome) }
        let attention = try AccountStore(cipher: nil).list(on: db).filter { account in
            account.state == .needsReauth || (account.pausedUntil.map { $0 > Date() } ?? false)
        }
        let onPolling = context.registryEnvironment.push == nil ? nil : try PushChannelStore().accountsOnPolling(on: db)
        let report = Report(
            workers: workers, queues: statistics.depths, problems: problems, workersStale: statistics.workersStale,
            accountsNeedingAttention: attention, accountsOnPolling: onPolling)
        context.emit(report) { render(report, lease: context.configuration.lease, window: window) }
        return .ok
    }

    static func render(_ report: Report, lease: Duration, window: Duration) -> String {
        var sections: [String] = []
        let alive = report.workers.filter { $0.heartbeatAgeSeconds <= lease.seconds }
        var workers =
            "WORKERS: \(alive.count) alive"
            + (report.workersStale > 0 ? ", \(report.workersStale) silent (dead? their jobs are rescued when leases expire)" : "")
        if !report.workers.isEmpty {
            var table = Table(headers: ["WORKER", "HOST", "QUEUES", "SLOTS", "HEARTBEAT", "STATUS"])
            for worker in report.workers {
                let status = worker.stopping ? "stopping" : (worker.heartbeatAgeSeconds > lease.seconds ? "silent" : "alive")
                table.add([
                    worker.id, worker.hostname, worker.queues.joined(separator: ","), String(worker.concurrency),
                    DurationText.format(seconds: worker.heartbeatAgeSeconds) + " ago", status,
                ])
            }
            workers += "\n" + table.render()
        }
        sections.append(workers)

        var queues = "QUEUES:"
        if report.queues.isEmpty {
            queues += " nothing waiting or running"
        } else {
            var table = Table(headers: ["QUEUE", "DUE", "SCHEDULED", "RUNNING", "OLDEST DUE"])
            for depth in report.queues {
                table.add([
                    depth.queue + (depth.paused ? " (paused)" : ""), String(depth.due), String(depth.scheduled), String(depth.running),
                    depth.oldestDueAgeSeconds.map { DurationText.format(seconds: $0) } ?? "-",
                ])
            }
            queues += "\n" + table.render()
            if report.queues.contains(where: \.paused) { queues += "\n(paused: nothing is claimed; calworker queue resume QUEUE)" }
        }
        sections.append(queues)

        var problems = "PROBLEMS (last \(DurationText.format(seconds: window.seconds))):"
        if report.problems.isEmpty {
            problems += " none"
        } else {
            var table = Table(headers: ["KIND", "OUTCOME", "ATTEMPTS", "LAST", "LAST ERROR"])
            for problem in report.problems {
                table.add([
                    problem.kind, problem.outcome, String(problem.count), Formatting.shortTimestamp(problem.lastFinishedAt),
                    Formatting.truncate(problem.lastError, 70),
                ])
            }
            problems += "\n" + table.render() + "\n(details: calworker runs --state OUTCOME --kind KIND)"
        }
        sections.append(problems)

        var accounts = "ACCOUNTS NEEDING ATTENTION:"
        if report.accountsNeedingAttention.isEmpty {
            accounts += " none"
        } else {
            accounts +=
                "\n" + AccountsCommand.table(report.accountsNeedingAttention)
                + "\n(needs_reauth: the user connects again, then calworker accounts reconnect ID --refresh-token-file F)"
        }
        sections.append(accounts)
        if let polling = report.accountsOnPolling {
            var push = "PUSH: "
            if polling.isEmpty {
                push += "every active account has working channels"
            } else {
                let shown = polling.prefix(20).map(String.init).joined(separator: ", ")
                push +=
                    "\(polling.count) account(s) fell back to five-minute polling: \(shown)" + (polling.count > 20 ? ", ..." : "")
                    + "\n(see calworker channels list --account ID; calworker enqueue watch_channels --args '{\"account_id\": ID}' tries again)"
            }
            sections.append(push)
        }
        return sections.joined(separator: "\n\n")
    }
}
