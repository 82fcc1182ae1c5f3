import Accounts
public import CalendarProviders
import Postgres

/// What the engine is wired with for one run: the calendar services it can speak (their
/// clients shared by the account's sync, every mirror lane and the channel upkeep) and push.
/// The engine knows no service by name; `Providers` picks one by the account's `provider`.
public struct SyncEngine: Sendable {
    public var providers: Providers
    /// Push notification channels; nil when CALWORKER_PUSH_URL is not set.
    public var push: PushSettings?

    public init(providers: Providers, push: PushSettings? = nil) {
        self.providers = providers
        self.push = push
    }

    /// The provider speaking as account `accountID` (its service read from its row), its
    /// credentials kept on `session`.
    func provider(
        forAccount accountID: Int64, store: AccountStore, session: PostgresConnection, shouldAbort: @escaping @Sendable () -> Bool
    ) throws -> any CalendarProvider {
        let account = try store.account(id: accountID, on: session)
        return try providers.provider(kind: account.provider, forAccount: accountID, session: session, shouldAbort: shouldAbort)
    }
}
