import Basics
import Configuration
import Foundation
import JobQueue

enum AuditCommand {
    static let command = Command(
        name: "audit",
        summary: "Every operator action on jobs and queues: who, from where, what, on what, how many",
        usage: "audit [--since D] [--limit N]",
        details: """
            Newest first. Recorded by retry, cancel, queue pause and queue resume (and the console's
            actions), in the same transaction as the action itself: an action that rolled back is
            not listed.
            """,
        options: [
            .value("since", "D", "how far back (default 7d)"),
            .value("limit", "N", "at most this many (default 100)"),
        ]
    ) { arguments, context in
        let window = try arguments.duration("since", in: .seconds(1)...DurationText.maximum) ?? .seconds(7 * 86_400)
        let limit = try arguments.int("limit", range: 1...100_000) ?? 100
        let db = try context.connectCurrent()
        let entries = try AuditLog().list(since: Date().addingTimeInterval(-window.seconds), limit: limit, on: db)
        context.emit(entries) {
            if entries.isEmpty { return "no operator actions in the last \(DurationText.format(seconds: window.seconds))" }
            var table = Table(headers: ["WHEN", "WHO", "FROM", "ACTION", "ON", "JOBS"])
            for entry in entries {
                table.add([
                    Formatting.shortTimestamp(entry.at), entry.actor, entry.origin, entry.action, entry.target,
                    entry.count.map(String.init) ?? "-",
                ])
            }
            return table.render()
        }
        return .ok
    }
}
