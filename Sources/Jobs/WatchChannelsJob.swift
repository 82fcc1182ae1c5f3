import Accounts
import CalendarSync
import Foundation
public import JobArgs
import JobQueue
import Logging
import Push
public import Worker

/// `watch_channels`: keeps an account's Google push channels as they should be (see
/// `ChannelKeeper`): created for its calendar list and calendars while it is active and
/// CALWORKER_PUSH_URL is set, renewed before they expire, stopped when the account is
/// disabled, reset or needs re-authorization and when a calendar is excluded or leaves its
/// list. Every sync does the same when something changed; this kind covers what happens
/// between syncs. `{"account_id": "all"}` (cron, hourly) fans out to the accounts whose
/// channels need work.
public struct WatchChannelsJob: JobHandler {
    public typealias Target = AccountTarget

    public typealias Args = WatchChannelsArgs

    let environment: JobEnvironment
    public let timeout: Duration = .seconds(600)

    public init(environment: JobEnvironment) {
        self.environment = environment
    }

    public func run(_ args: Args, context: JobContext) throws -> JobResult {
        let db = try context.database()
        guard case .account(let accountID) = args.target else {
            let renewBefore = environment.push?.renewBefore ?? PushSettings(address: "").renewBefore
            var ids = Set(try PushChannelStore().accountsNeedingWork(renewBefore: renewBefore, on: db))
            if environment.push != nil { ids.formUnion(try AccountStore(cipher: nil).syncableIDs(on: db)) }
            let added = try JobQueue().enqueueMany(self, ids.sorted().map { Args(.account($0)) }, JobOptions(queue: context.job.queue), on: db)
            context.logger.info("fanned out channel upkeep", ["accounts": String(ids.count), "enqueued": String(added.count)])
            return .success(JobFigures(["accounts": Double(ids.count), "enqueued": Double(added.count)]))
        }
        let keeper = ChannelKeeper(
            accountID: accountID, providers: environment.syncEngine(metrics: context.metrics).providers, push: environment.push,
            store: AccountStore(cipher: environment.tokenCipher),
            db: db, metrics: context.metrics, shouldAbort: { context.isStopped })
        let report = try keeper.run()
        let logger = context.logger.with(["account_id": String(accountID)])
        if report.didSomething {
            logger.info(
                "push channels kept",
                [
                    "created": String(report.created), "stopped": String(report.stopped),
                    "expired": String(report.expired), "failed": String(report.failed),
                ])
        }
        for error in report.errors { logger.warning("push channel refused", ["error": error]) }
        if let first = report.retryableErrors.first {
            return .retry(
                after: max(.seconds(60), report.requestedWait ?? .zero), reason: "Google did not answer every channel call: \(first)",
                figures: Self.figures(report))
        }
        return .success(Self.figures(report))
    }

    static func figures(_ report: ChannelReport) -> JobFigures {
        JobFigures([
            "channels_created": Double(report.created), "channels_renewed": Double(report.renewed), "channels_stopped": Double(report.stopped),
            "channels_expired": Double(report.expired), "channels_failed": Double(report.failed),
        ])
    }
}
