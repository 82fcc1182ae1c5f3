import Accounts
public import CalendarProviders
public import Crypto
import HTTPClient
public import Metrics
public import Postgres
public import RequestBudgets

/// Where the Google APIs are and how hard calworker may use them.
public struct GoogleSettings: Sendable {
    public var apiURL: String
    public var tokenURL: String
    public var clientID: String
    public var clientSecret: String
    /// The per-account request budget (see `RequestBudget`).
    public var requestsPerMinute: Int
    /// Where the budgets every worker shares are kept; nil gives each client a bucket of its
    /// own (tests, one-off commands).
    public var sharedBudgets: (any SharedRequestBudgets)?
    /// `maxResults` for events.list: Google's maximum, 2,500, unless a test wants many pages.
    public var eventsPageSize = 2500
    /// Attempts per API call before a retryable error goes to the job (which snoozes), and the
    /// longest wait between them, whatever `Retry-After` says. docs/sync.md: five attempts; 32 s.
    public var callAttempts = 5
    public var longestBackoff: Duration = .seconds(32)
    /// The OAuth project's request budget shared by every account and worker (Google allows
    /// 10,000 a minute per project); enforced through `sharedBudgets`, 0 turns it off.
    public var projectRequestsPerMinute = 9000

    public init(apiURL: String, tokenURL: String, clientID: String, clientSecret: String, requestsPerMinute: Int = 500) {
        self.apiURL = apiURL
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.requestsPerMinute = requestsPerMinute
    }
}

extension GoogleSettings {
    /// The request budget of a client writing as `account`: the shared one when configured.
    func budget(for account: Int64) -> RequestBudget {
        RequestBudget(
            perMinute: requestsPerMinute, shared: sharedBudgets, account: account,
            project: projectRequestsPerMinute > 0 ? ProjectBudget(key: clientID, perMinute: projectRequestsPerMinute) : nil)
    }
}

extension GoogleSettings {
    /// The HTTP and OAuth clients of one run, built once and shared by the account's sync and
    /// every lane of its mirror step.
    func clients(metrics: MetricsRegistry) -> GoogleClients {
        GoogleClients(
            api: HTTPClient(service: "google", metrics: metrics),
            oauth: OAuthClient(
                tokenURL: tokenURL, clientID: clientID, clientSecret: clientSecret,
                http: HTTPClient(service: "google_oauth", metrics: metrics)))
    }
}

/// The clients one run talks to Google with (see `GoogleSettings.clients`).
struct GoogleClients: Sendable {
    let api: HTTPClient
    let oauth: OAuthClient
}

extension GoogleSettings {
    /// The Calendar API client writing as `accountID`: its tokens kept on `session`, within its
    /// budget, with this configuration's attempts and longest backoff. The sync, the mirror
    /// lanes and the channel upkeep all make theirs here.
    func calendarClient(
        for accountID: Int64, clients: GoogleClients, store: AccountStore, session: PostgresConnection,
        shouldAbort: @escaping @Sendable () -> Bool
    ) throws -> (client: CalendarClient, tokens: StoredAccessTokens) {
        let tokens = try StoredAccessTokens(accountID: accountID, store: store, db: session, oauth: clients.oauth, shouldAbort: shouldAbort)
        let client = CalendarClient(apiURL: apiURL, http: clients.api, tokens: tokens, budget: budget(for: accountID), shouldAbort: shouldAbort)
        client.maxAttempts = max(1, callAttempts)
        client.maxDelay = longestBackoff
        return (client, tokens)
    }
}

/// Google as the engine's provider for accounts whose `provider` is `google`: one set of
/// HTTP and OAuth clients for the run, a `GoogleCalendarProvider` per account.
public struct GoogleProviders: ProviderDirectory {
    let settings: GoogleSettings
    let clients: GoogleClients
    let store: AccountStore

    public init(settings: GoogleSettings, cipher: TokenCipher?, metrics: MetricsRegistry) {
        self.settings = settings
        self.clients = settings.clients(metrics: metrics)
        self.store = AccountStore(cipher: cipher)
    }

    public func provider(forAccount accountID: Int64, session: PostgresConnection, shouldAbort: @escaping @Sendable () -> Bool) throws
        -> any CalendarProvider
    {
        let (client, tokens) = try settings.calendarClient(for: accountID, clients: clients, store: store, session: session, shouldAbort: shouldAbort)
        return GoogleCalendarProvider(client: client, tokens: tokens, pageSize: settings.eventsPageSize)
    }
}
