import Foundation
import Media
import Postgres
import Worker

extension CleanupJob {
    /// Deletes by age, one batch per statement (each its own transaction, locks held for
    /// milliseconds), until a batch comes back short.
    struct Pruner {
        let retention: Retention
        let db: PostgresConnection
        let stores: MediaStores
        let context: JobContext

        func run() throws -> JobFigures {
            var figures = JobFigures()
            let progress = context.progress()
            func prune(_ figure: String, _ statement: String, _ parameters: [any PostgresEncodable]) throws {
                var removed = 0
                while true {
                    try context.checkStop()
                    let count = try db.execute(statement, parameters + [retention.batch])
                    removed += count
                    progress.report(["table": figure, "removed": String(removed)])
                    if count < retention.batch { break }
                }
                figures.set(figure, Double(removed))
                figures.add("rows_removed", Double(removed))
            }
            // Finished jobs only: the claim, lease and unique indexes cover live ones, never these.
            let jobs = """
                DELETE FROM calworker.jobs WHERE id IN (
                    SELECT id FROM calworker.jobs WHERE state = ANY($1::text[]) AND finished_at < now() - $2::interval
                     ORDER BY finished_at LIMIT $3 FOR UPDATE SKIP LOCKED)
                """
            try prune("jobs_completed", jobs, [["completed"], retention.completed])
            try prune("jobs_discarded", jobs, [["discarded", "cancelled"], retention.discarded])
            try prune("job_runs", """
                DELETE FROM calworker.job_runs WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM calworker.job_runs WHERE finished_at < now() - $1::interval ORDER BY finished_at LIMIT $2))
                """, [retention.runs])
            try prune("tombstones", """
                DELETE FROM calworker.events WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM calworker.events WHERE status = 'cancelled' AND synced_at < now() - $1::interval ORDER BY synced_at LIMIT $2))
                """, [retention.tombstones])
            try prune("workers", """
                DELETE FROM calworker.workers WHERE id IN (
                    SELECT id FROM calworker.workers WHERE heartbeat_at < now() - $1::interval LIMIT $2)
                """, [retention.workers])
            try prune("alerts", """
                DELETE FROM calworker.alerts WHERE id IN (
                    SELECT id FROM calworker.alerts WHERE digest_id IS NOT NULL AND raised_at < now() - $1::interval LIMIT $2)
                """, [retention.notifications])
            try prune("notifications", """
                DELETE FROM calworker.notifications WHERE id IN (
                    SELECT n.id FROM calworker.notifications n
                     WHERE n.state <> 'sending' AND n.created_at < now() - $1::interval
                       AND NOT EXISTS (SELECT 1 FROM calworker.alerts a WHERE a.digest_id = n.id)
                     LIMIT $2)
                """, [retention.notifications])
            try prune("schedule_fires", """
                DELETE FROM calworker.schedule_fires WHERE ctid = ANY(ARRAY(
                    SELECT f.ctid FROM calworker.schedule_fires f
                     WHERE f.fire_at < now() - $1::interval
                       AND f.fire_at < (SELECT max(g.fire_at) FROM calworker.schedule_fires g WHERE g.name = f.name)
                     LIMIT $2))
                """, [Duration.seconds(30 * 86_400)])
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
