public import JobQueue

/// `cleanup`: retention of the queue's history, run records, tombstones, workers and
/// notifications (each `*_after` a duration like `30d`), and with `thumbnails: PREFIX`
/// thumbnails whose photo is gone; or `{"account_id": N, "reset": true}`, an account's reset.
public struct CleanupArgs: JobParameters {
    public static let kind = "cleanup"

    public var accountID: Int64?
    public var reset: Bool?
    public var completedAfter: String?
    public var discardedAfter: String?
    public var runsAfter: String?
    public var tombstonesAfter: String?
    public var workersAfter: String?
    public var notificationsAfter: String?
    public var thumbnails: String?
    public var batch: Int?

    /// Retention with its defaults.
    public init() {}

    /// A reset of one account.
    public static func reset(accountID: Int64) -> CleanupArgs {
        var args = CleanupArgs()
        args.accountID = accountID
        args.reset = true
        return args
    }

    /// The account to reset, or nil for retention.
    public var resetAccountID: Int64? { reset == true ? accountID : nil }

    public func validate() throws(JobArgsError) {
        if reset == true || accountID != nil {
            guard reset == true, let accountID, accountID > 0 else { throw JobArgsError("an account reset is {\"account_id\": N, \"reset\": true}") }
        }
    }

    public var uniqueKey: String? { resetAccountID.map { "cleanup:reset:\($0)" } ?? "cleanup:retention" }

    public var subject: String? { resetAccountID.map { "account:\($0)" } }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case accountID = "account_id"
        case reset, thumbnails, batch
        case completedAfter = "completed_after"
        case discardedAfter = "discarded_after"
        case runsAfter = "runs_after"
        case tombstonesAfter = "tombstones_after"
        case workersAfter = "workers_after"
        case notificationsAfter = "notifications_after"
    }

    public init(from decoder: any Decoder) throws {
        let names = CodingKeys.allCases.map(\.rawValue)
        try ArgumentNames.refuseUnknown(in: decoder, allowed: names, ArgumentNames.list("cleanup", names))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accountID = try container.decodeIfPresent(Int64.self, forKey: .accountID)
        reset = try container.decodeIfPresent(Bool.self, forKey: .reset)
        completedAfter = try container.decodeIfPresent(String.self, forKey: .completedAfter)
        discardedAfter = try container.decodeIfPresent(String.self, forKey: .discardedAfter)
        runsAfter = try container.decodeIfPresent(String.self, forKey: .runsAfter)
        tombstonesAfter = try container.decodeIfPresent(String.self, forKey: .tombstonesAfter)
        workersAfter = try container.decodeIfPresent(String.self, forKey: .workersAfter)
        notificationsAfter = try container.decodeIfPresent(String.self, forKey: .notificationsAfter)
        thumbnails = try container.decodeIfPresent(String.self, forKey: .thumbnails)
        batch = try container.decodeIfPresent(Int.self, forKey: .batch)
    }
}
