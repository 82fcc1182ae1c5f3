import Accounts
import Backup
import Basics
import Feeds
public import Foundation
public import JobArgs
import JobQueue
import Logging
import Media
import Postgres
public import Worker

/// `ics_export`: brings published iCalendar feeds up to date (see `FeedPublisher`).
///
/// `{"feed_id": 3}` one feed, `{"owner": "user-1"}` that owner's feeds (what a sync that
/// changed events queues, half a minute later so a burst becomes one), `{}` every feed and
/// then the objects no feed holds any more (cron). `"force": true` renders even unchanged feeds.
/// A feed whose events and settings did not change is not rendered; one rendered to the
/// bytes already published is not written.
public struct IcsExportJob: JobHandler {
    public typealias Args = IcsExportArgs

    /// How long after a sync that changed events its owner's feeds are exported.
    public static let delayAfterSync: TimeInterval = 30
    let environment: JobEnvironment
    public let timeout: Duration = .seconds(1800)

    public init(environment: JobEnvironment) { self.environment = environment }

    public static let figureMetrics: [FigureMetric] = [
        FigureMetric(figure: "feeds_written", metric: "calworker_feeds_written_total", help: "iCalendar feeds published with new content."),
        FigureMetric(
            figure: "feeds_unchanged", metric: "calworker_feeds_unchanged_total",
            help: "iCalendar feeds rendered to the content already published (not written)."),
        FigureMetric(
            figure: "feeds_skipped", metric: "calworker_feeds_skipped_total",
            help: "iCalendar feeds not rendered: nothing they show changed."),
    ]

    public func run(_ args: Args, context: JobContext) throws -> JobResult {
        let db = try context.database()
        let store = FeedStore()
        let feeds: [Feed]
        if let id = args.feedID {
            guard let feed = try store.feed(id: id, on: db) else { return .discard(reason: "no feed \(id) (deleted?)") }
            feeds = [feed]
        } else {
            feeds = try store.list(owner: args.owner, on: db)
        }
        // The schedule runs everywhere; without feeds there is nothing to do, target or not.
        if feeds.isEmpty && environment.feedsTarget == nil { return .success(JobFigures(["feeds": 0])) }
        guard let target = environment.feedsTarget else {
            if let problem = environment.feedsTargetProblem { return .discard(reason: "\(feeds.count) feeds, not published: \(problem)") }
            return .discard(
                reason: "\(feeds.count) feeds but no feeds target: set CALWORKER_FEEDS_TARGET "
                    + "(s3://bucket/feeds/ or file:///path/under/the/media/root/)")
        }
        let publisher = FeedPublisher(
            stores: MediaStores(settings: environment.media, metrics: context.metrics, shouldAbort: { context.isStopped }),
            target: target, spoolDirectory: environment.backup.spoolDirectory, shouldStop: { context.isStopped })
        var counts: [FeedPublisher.Outcome: Int] = [:]
        var failures: [String] = []
        /// Whether a later attempt may publish what failed: one retryable failure is enough.
        var retryable = false
        var longestWait: Duration?
        for feed in feeds {
            try context.checkStop()
            do {
                let outcome = try publisher.publish(feed, force: args.force == true, now: environment.now(), on: db)
                counts[outcome, default: 0] += 1
                if outcome == .written { context.logger.info("feed published", ["feed_id": String(feed.id), "owner": feed.owner]) }
            } catch {
                context.logger.warning("feed not published", ["feed_id": String(feed.id), "error": "\(error)"])
                failures.append("feed \(feed.id): \(error)")
                let failure = error as? any CalworkerError
                retryable = retryable || (failure?.isRetryable ?? true)
                if let wait = failure?.requestedWait { longestWait = max(longestWait ?? .zero, wait) }
            }
        }
        var figures = JobFigures([
            "feeds": Double(feeds.count), "feeds_written": Double(counts[.written] ?? 0),
            "feeds_unchanged": Double(counts[.unchanged] ?? 0), "feeds_skipped": Double(counts[.skipped] ?? 0),
        ])
        if args.feedID == nil && args.owner == nil && failures.isEmpty {
            let sweep = try publisher.removeOrphans(now: environment.now(), on: db)
            figures.set("orphans_removed", Double(sweep.removed))
            if sweep.unreadable > 0 {
                context.logger.warning("feed object records left alone: not a location calworker writes", ["records": String(sweep.unreadable)])
            }
        }
        guard failures.isEmpty else {
            throw FeedError(failures.prefix(5).joined(separator: "; "), retryable: retryable, requestedWait: retryable ? longestWait : nil)
        }
        return .success(figures)
    }

    /// After a sync that fetched changed events: the owner's feeds, in half a minute, once.
    static func afterSync(accountID: Int64, queue: String, environment: JobEnvironment, on db: PostgresConnection) throws {
        guard environment.feedsTarget != nil, let owner = try AccountStore(cipher: nil).owner(of: accountID, on: db),
            try FeedStore().hasFeeds(owner: owner, on: db)
        else { return }
        _ = try JobQueue().enqueue(
            IcsExportJob(environment: environment), Args(owner: owner),
            JobOptions(queue: queue, maxAttempts: 5, runAt: environment.now().addingTimeInterval(delayAfterSync)), on: db)
    }
}
