public import JobQueue

/// `ics_export`: `{"feed_id": 3}` one feed, `{"owner": "user-1"}` that owner's feeds (what a
/// sync that changed events queues), `{}` every feed and then the objects no feed holds any
/// more (cron). `"force": true` renders even unchanged feeds.
public struct IcsExportArgs: JobParameters, Equatable {
    public static let kind = "ics_export"

    public var feedID: Int64?
    public var owner: String?
    public var force: Bool?

    public init(feedID: Int64? = nil, owner: String? = nil, force: Bool? = nil) {
        self.feedID = feedID
        self.owner = owner
        self.force = force
    }

    public func validate() throws(JobArgsError) {
        if let feedID, feedID <= 0 { throw JobArgsError("feed_id must be positive, got \(feedID)") }
        if let owner, owner.isEmpty || owner.utf8.count > 512 { throw JobArgsError("owner must be 1 to 512 bytes") }
        if feedID != nil && owner != nil { throw JobArgsError("give feed_id or owner, not both") }
    }

    public var uniqueKey: String? {
        if let feedID { return "ics_export:feed:\(feedID)" }
        if let owner { return "ics_export:owner:\(owner)" }
        return "ics_export:all"
    }

    public var subject: String? { feedID.map { "feed:\($0)" } }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case feedID = "feed_id"
        case owner, force
    }

    public init(from decoder: any Decoder) throws {
        try ArgumentNames.refuseUnknown(
            in: decoder, allowed: CodingKeys.allCases.map(\.rawValue),
            "ics_export takes {\"feed_id\": N}, {\"owner\": \"O\"} or {}, and \"force\": true")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        feedID = try container.decodeIfPresent(Int64.self, forKey: .feedID)
        owner = try container.decodeIfPresent(String.self, forKey: .owner)
        force = try container.decodeIfPresent(Bool.self, forKey: .force)
    }
}
