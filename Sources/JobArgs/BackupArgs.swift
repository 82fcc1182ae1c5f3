public import JobQueue

/// `backup`: `{"target": "s3://backups/calworker/", "keep_daily": 7, "keep_weekly": 4,
/// "keep_monthly": 6}`; the target defaults to `CALWORKER_BACKUP_TARGET`. The handler resolves
/// the target with the configuration and keys one backup per target however it was written
/// (`BackupJob`), so a backup is enqueued through the worker's registry.
public struct BackupArgs: JobParameters {
    public static let kind = "backup"

    public var target: String?
    public var keepDaily: Int?
    public var keepWeekly: Int?
    public var keepMonthly: Int?

    public init(target: String? = nil, keepDaily: Int? = nil, keepWeekly: Int? = nil, keepMonthly: Int? = nil) {
        self.target = target
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
    }

    public func validate() throws(JobArgsError) {
        for (name, value) in [("keep_daily", keepDaily), ("keep_weekly", keepWeekly), ("keep_monthly", keepMonthly)] {
            if let value, !(0...1000).contains(value) { throw JobArgsError("\(name) is a count from 0 to 1000, got \(value)") }
        }
    }

    /// One backup at a time per target as written; the handler's key (by the resolved target)
    /// is the one a registry enqueue uses.
    public var uniqueKey: String? { "backup:\(target ?? "")" }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case target
        case keepDaily = "keep_daily"
        case keepWeekly = "keep_weekly"
        case keepMonthly = "keep_monthly"
    }

    public init(from decoder: any Decoder) throws {
        let names = CodingKeys.allCases.map(\.rawValue)
        try ArgumentNames.refuseUnknown(in: decoder, allowed: names, ArgumentNames.list("backup", names))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        target = try container.decodeIfPresent(String.self, forKey: .target)
        keepDaily = try container.decodeIfPresent(Int.self, forKey: .keepDaily)
        keepWeekly = try container.decodeIfPresent(Int.self, forKey: .keepWeekly)
        keepMonthly = try container.decodeIfPresent(Int.self, forKey: .keepMonthly)
    }
}
