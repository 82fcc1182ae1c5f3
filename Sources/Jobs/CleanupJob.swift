import Accounts
import CalendarSync
import Foundation
import Google
import Worker

/// `cleanup`. Today it does one thing, an account reset (SYNC.md "Reset"):
/// `{"account_id": N, "reset": true}` deletes every mirror calworker wrote for the account, in
/// both directions, and clears its local sync state. The pruning of old jobs and run records
/// arrives with the deployment work; args asking for anything else are refused, not ignored.
public struct CleanupJob: JobHandler {
    public struct Args: Decodable, Sendable {
        public var accountID: Int64?
        public var reset: Bool?

        enum CodingKeys: String, CodingKey {
            case accountID = "account_id"
            case reset
        }
    }

    public static let kind = "cleanup"
    let environment: JobEnvironment
    public let timeout: Duration = .seconds(1800)

    public init(environment: JobEnvironment) { self.environment = environment }

    public func validate(_ args: Args) throws(JobArgsError) {
        guard args.reset == true, let id = args.accountID, id > 0 else {
            throw JobArgsError("cleanup takes {\"account_id\": N, \"reset\": true} (an account reset); nothing else yet")
        }
    }

    public func defaultUniqueKey(for args: Args) -> String? { args.accountID.map { "cleanup:reset:\($0)" } }

    public func run(_ args: Args, context: JobContext) throws -> JobResult {
        let accountID = args.accountID!
        let db = try context.database()
        let store = AccountStore(cipher: environment.tokenCipher)
        let reset = AccountReset(accountID: accountID, settings: environment.google, store: store, db: db, metrics: context.metrics,
                                 shouldAbort: { context.isStopped })
        let report = try reset.run()
        context.logger.with(["account_id": String(accountID)])
            .notice("account reset", ["mirrors_deleted": String(report.deleted), "skipped_needs_reauth": String(report.skippedNeedsReauth)])
        let figures = JobFigures(["mirrors_deleted": Double(report.deleted), "mirror_writes_skipped_needs_reauth": Double(report.skippedNeedsReauth),
                                  "mirror_writes_refused": Double(report.refused)])
        if report.skippedNeedsReauth > 0 {
            // Mirrors in accounts that need re-auth cannot be deleted now; they stay until then.
            return .retry(after: .seconds(3600), reason: "\(report.skippedNeedsReauth) mirror(s) sit in accounts needing re-auth", figures: figures)
        }
        return .success(figures)
    }
}
