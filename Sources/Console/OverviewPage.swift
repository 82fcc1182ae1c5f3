import Foundation
import JobQueue

/// What the queue is doing: workers, each queue's depth and oldest due job, and the last
/// hour's outcomes by kind, all from the statistics `/metrics` reads (indexed statements only).
enum OverviewPage {
    static func body(_ statistics: QueueStatistics, csrf: String, role: ConsoleRole) -> HTML {
        let queues = statistics.depths.map { depth -> HTML in
            let paused: HTML = depth.paused ? " <span class=\"paused\">paused</span>" : ""
            let action = depth.paused ? "resume" : "pause"
            let reason: HTML = depth.paused ? "" : "<input name=\"reason\" placeholder=\"reason\" size=\"10\">"
            let control: HTML = role.mayAct
                ? """
                  <form method="post" action="\(ConsoleLink(["queues", depth.queue, action]))" class="inline">
                  <input type="hidden" name="csrf" value="\(csrf)">\(reason)<button>\(action == "pause" ? "Pause" : "Resume")</button></form>
                  """
                : ""
            return """
                <tr><td>\(depth.queue)\(paused)</td>
                <td>\(depth.due)</td><td>\(depth.scheduled)</td><td>\(depth.running)</td>
                <td>\(ConsoleFormat.seconds(depth.oldestDueAgeSeconds))</td><td>\(control)</td></tr>
                """
        }
        let outcomes = statistics.recentRuns.map { run -> HTML in
            """
            <tr><td><a href="\(ConsoleLink(["runs"], query: [("kind", run.kind), ("state", run.outcome)]))">\(run.kind)</a></td>
            <td class="outcome-\(run.outcome)">\(run.outcome)</td><td>\(run.count)</td>
            <td class="error">\(ConsoleFormat.clip(run.lastError))</td></tr>
            """
        }
        let backup: HTML = statistics.lastVerifiedBackupAt.map { "<p>Newest verified backup: \(ConsoleFormat.time($0))</p>" }
            ?? "<p>No backup has been verified yet.</p>"
        return """
            <p>Workers: \(statistics.workersAlive) alive (\(statistics.workersStopping) stopping), \(statistics.workersStale) stale.</p>
            \(backup)
            <h2>Queues</h2>
            <table><thead><tr><th>Queue</th><th>Due</th><th>Scheduled</th><th>Running</th><th>Oldest due</th><th></th></tr></thead>
            <tbody>\(queues)</tbody></table>
            <h2>The last hour</h2>
            <table><thead><tr><th>Kind</th><th>Outcome</th><th>Attempts</th><th>Newest error</th></tr></thead>
            <tbody>\(outcomes)</tbody></table>
            """
    }
}
