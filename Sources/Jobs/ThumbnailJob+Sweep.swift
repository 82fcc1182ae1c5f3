import Foundation
import JobArgs
import JobQueue
import Logging
import Media
import Thumbnails
import Worker

extension ThumbnailJob {
    /// Lists the prefix once and enqueues a job for every photo without an up-to-date
    /// thumbnail; existing thumbnails are found in the same listing (they sit beside their
    /// photos, under the prefix), so a sweep of a million photos costs a listing, not a HEAD each.
    func sweep(_ prefix: MediaLocation, plan: Plan, stores: MediaStores, context: JobContext) throws -> JobResult {
        let objects = try stores.list(prefix: prefix)
        let byLocation = Dictionary(objects.map { ($0.location, $0) }, uniquingKeysWith: { first, _ in first })
        let photos = objects.filter { Self.isPhoto($0.location) }
        var jobs: [Args] = []
        var upToDate = 0
        for photo in photos {
            guard let target = Self.defaultTarget(for: photo.location, options: plan.options) else { continue }
            if !plan.force, let made = byLocation[target]?.lastModified, let changed = photo.lastModified, made >= changed {
                upToDate += 1
                continue
            }
            jobs.append(Self.args(source: photo.location, plan: plan))
        }
        let db = try context.database()
        let progress = context.progress()
        var enqueued = 0
        for start in stride(from: 0, to: jobs.count, by: 1000) {
            try context.checkStop()
            enqueued += try JobQueue().enqueueMany(
                self, Array(jobs[start..<min(start + 1000, jobs.count)]),
                JobOptions(queue: context.job.queue), on: db
            ).count
            progress.report(["enqueued": String(enqueued), "to_enqueue": String(jobs.count)])
        }
        context.logger.info(
            "thumbnail sweep",
            [
                "prefix": prefix.description, "photos": String(photos.count),
                "up_to_date": String(upToDate), "enqueued": String(enqueued),
            ])
        return .success(
            JobFigures([
                "listed": Double(objects.count), "photos": Double(photos.count), "up_to_date": Double(upToDate),
                "enqueued": Double(enqueued), "already_queued": Double(jobs.count - enqueued),
            ]))
    }

    /// The args of one photo's job: the sweep's options, its source, no target (the default).
    static func args(source: MediaLocation, plan: Plan) -> Args {
        Args(
            source: source.description, size: plan.options.width, height: plan.options.height, crop: plan.options.crop.rawValue,
            format: plan.options.format.rawValue, quality: plan.options.quality, force: plan.force ? true : nil)
    }
}
