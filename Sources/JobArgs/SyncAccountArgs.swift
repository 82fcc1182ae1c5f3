public import JobQueue

/// `sync_account`: `{"account_id": N}` brings one account's local copy up to date;
/// `{"account_id": "all"}` fans out one job per active account; `calendar_id` narrows a sync
/// to the calendar a push notification named.
public struct SyncAccountArgs: JobParameters, Equatable {
    public static let kind = "sync_account"

    public var target: AccountTarget
    /// Only this calendar's events, then the group's mirrors: a push notification named it.
    public var calendarID: String?
    /// Enqueued by the push inbox, which coalesces notifications itself (`push_syncs`); such
    /// a job has no unique key, so a change notified while a sync runs is never folded into
    /// the sync that may already have read past it.
    public var viaPush: Bool

    public init(_ target: AccountTarget, calendarID: String? = nil, viaPush: Bool = false) {
        self.target = target
        self.calendarID = calendarID
        self.viaPush = viaPush
    }

    public func validate() throws(JobArgsError) {
        if case .account(let id) = target, id <= 0 { throw JobArgsError("account_id must be positive, got \(id)") }
        if let calendarID {
            guard case .account = target else { throw JobArgsError("calendar_id needs one account_id, not \"all\"") }
            guard (1...1024).contains(calendarID.utf8.count), !calendarID.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                throw JobArgsError("calendar_id must be a calendar's id: 1 to 1024 bytes without control characters")
            }
        }
    }

    /// One sync per account (`sync_account:ID`), or per calendar when one is named: a slow
    /// sync is never joined by a second one.
    public var uniqueKey: String? {
        if viaPush { return nil }
        switch target {
        case .account(let id): return calendarID.map { "sync_account:\(id):\($0)" } ?? "sync_account:\(id)"
        case .all: return "sync_account:all"
        }
    }

    public var subject: String? { target.subject }

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id"
        case calendarID = "calendar_id"
        case viaPush = "via_push"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch target {
        case .account(let id): try container.encode(id, forKey: .accountID)
        case .all: try container.encode("all", forKey: .accountID)
        }
        try container.encodeIfPresent(calendarID, forKey: .calendarID)
        if viaPush { try container.encode(true, forKey: .viaPush) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let id = try? container.decode(Int64.self, forKey: .accountID) {
            target = .account(id)
        } else if let text = try? container.decode(String.self, forKey: .accountID), text == "all" {
            target = .all
        } else {
            throw DecodingError.dataCorruptedError(
                forKey: .accountID, in: container, debugDescription: "account_id must be an account's id (a number) or \"all\"")
        }
        calendarID = try container.decodeIfPresent(String.self, forKey: .calendarID)
        viaPush = try container.decodeIfPresent(Bool.self, forKey: .viaPush) ?? false
    }
}
