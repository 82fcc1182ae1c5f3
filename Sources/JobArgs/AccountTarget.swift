/// One account, or every active account: a fan-out job (cron's `{"account_id": "all"}`)
/// queues one job per account.
public enum AccountTarget: Sendable, Equatable {
    case account(Int64)
    case all

    /// `account:12` for one account; nil for all of them.
    var subject: String? {
        if case .account(let id) = self { return "account:\(id)" }
        return nil
    }
}
