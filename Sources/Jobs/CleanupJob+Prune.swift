import CalendarSync
import Foundation
import JobQueue
import LocalCopy
import Logging
import Media
import Notify
import Postgres
import Push
import Scheduling
import Worker

extension CleanupJob {
    /// Retention: each store prunes its own tables by age, one batch per statement (each its
    /// own transaction, locks held for milliseconds); this only calls them in turn, until a
    /// batch comes back short.
    struct Pruner {
        let retention: Retention
        let db: PostgresConnection
        let stores: MediaStores
        let context: JobContext

        func run() throws -> JobFigures {
            var figures = JobFigures()
            let progress = context.progress()
            /// Calls one store's prune until a batch comes back short.
            func prune(_ figure: String, removes: Bool = true, _ batch: (Int) throws -> Int) throws {
                var removed = 0
                while true {
                    try context.checkStop()
                    let count = try batch(retention.batch)
                    removed += count
                    progress.report(["table": figure, "removed": String(removed)])
                    if count < retention.batch { break }
                }
                figures.set(figure, Double(removed))
                if removes { figures.add("rows_removed", Double(removed)) }
            }
            let queue = JobQueue()
            let history = try queue.maintainHistory(retention: retention.runs, on: db)
            figures.set("history_partitions_created", Double(history.created.count))
            figures.set("history_partitions_dropped", Double(history.dropped.count))
            figures.set("history_bytes_dropped", Double(history.bytesDropped))
            context.logger.info(
                "run history kept",
                [
                    "created": history.created.joined(separator: ","),
                    "dropped": history.dropped.joined(separator: ","),
                    "bytes_dropped": String(history.bytesDropped),
                ])
            if !history.deferred.isEmpty {
                context.logger.warning(
                    "history partitions left for the next cleanup: their lock did not come in time",
                    ["partitions": history.deferred.joined(separator: ",")])
            }
            try prune("jobs_moved_to_history", removes: false) { try queue.moveFinished(batch: $0, on: db) }
            try prune("job_runs") { try queue.pruneRuns(olderThan: retention.runs, batch: $0, on: db) }
            // Two days of per-minute counts: the last hour is what anything reads.
            try prune("run_counts") { try queue.pruneRunCounts(olderThan: .seconds(2 * 86_400), batch: $0, on: db) }
            try prune("tombstones") { try EventStore().pruneTombstones(olderThan: retention.tombstones, batch: $0, on: db) }
            try prune("workers") { try WorkerRegistry.pruneStale(olderThan: retention.workers, batch: $0, on: db) }
            try prune("alerts") { try NotificationLedger.pruneAlerts(olderThan: retention.notifications, batch: $0, on: db) }
            try prune("notifications") { try NotificationLedger.pruneMessages(olderThan: retention.notifications, batch: $0, on: db) }
            // Operators' actions are kept a year: long after the jobs they touched are gone.
            try prune("audit") { try AuditLog().prune(olderThan: .seconds(365 * 86_400), batch: $0, on: db) }
            try prune("push_channels") { try PushChannelStore().prune(olderThan: .seconds(30 * 86_400), batch: $0, on: db) }
            try prune("schedule_fires") { try Scheduler.pruneFires(olderThan: .seconds(30 * 86_400), batch: $0, on: db) }
            if let prefix = retention.thumbnails {
                figures.set("thumbnails_orphaned", Double(try pruneThumbnails(under: prefix)))
            }
            context.logger.info("cleanup done", ["rows_removed": String(Int(figures["rows_removed"] ?? 0))])
            return figures
        }

        /// Thumbnails (objects in a `thumbnails/` folder) whose photo is no longer beside them.
        func pruneThumbnails(under prefix: MediaLocation) throws -> Int {
            let objects = try stores.list(prefix: prefix)
            let present = Set(objects.map(\.location.description))
            var removed = 0
            for object in objects where removed < retention.batch {
                let text = object.location.description
                guard let range = text.range(of: "/thumbnails/", options: .backwards) else { continue }
                let folder = text[..<range.lowerBound]
                var name = String(text[range.upperBound...])
                // A size folder: thumbnails/400x300/NAME.
                if let slash = name.firstIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
                guard !name.isEmpty, !name.contains("/") else { continue }
                // NAME is the photo's name, or the photo's name plus the thumbnail's extension.
                let candidates = [name, (name as NSString).deletingPathExtension].map { "\(folder)/\($0)" }
                guard !candidates.contains(where: present.contains) else { continue }
                try context.checkStop()
                try stores.delete(object.location)
                removed += 1
            }
            return removed
        }
    }
}
