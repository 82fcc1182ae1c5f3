public import JobQueue

/// `watch_channels`: `{"account_id": N}` brings one account's push channels to what they
/// should be; `{"account_id": "all"}` (cron, hourly) fans out to the accounts that need it.
public struct WatchChannelsArgs: JobParameters, Equatable {
    public static let kind = "watch_channels"

    public var target: AccountTarget

    public init(_ target: AccountTarget) { self.target = target }

    public func validate() throws(JobArgsError) {
        if case .account(let id) = target, id <= 0 { throw JobArgsError("account_id must be positive, got \(id)") }
    }

    public var uniqueKey: String? {
        switch target {
        case .account(let id): "watch_channels:\(id)"
        case .all: "watch_channels:all"
        }
    }

    public var subject: String? { target.subject }

    public func encode(to encoder: any Encoder) throws { try SyncAccountArgs(target).encode(to: encoder) }

    public init(from decoder: any Decoder) throws {
        try ArgumentNames.refuseUnknown(
            in: decoder, allowed: ["account_id"], "watch_channels takes {\"account_id\": N} or {\"account_id\": \"all\"}")
        target = try SyncAccountArgs(from: decoder).target
    }
}
