import Accounts
import CalendarProviders
import Foundation
import Postgres

/// An account's access token, kept encrypted in `calworker.accounts` and refreshed through
/// OAuth shortly before it expires (or when Google answered 401). A refresh token Google did
/// not replace is kept as it is.
final class StoredAccessTokens: AccessTokenSource {
    let accountID: Int64
    let store: AccountStore
    let db: PostgresConnection
    let oauth: OAuthClient
    let shouldAbort: @Sendable () -> Bool
    private var tokens: AccountTokens
    /// Refreshes made in this run (a figure).
    private(set) var refreshes = 0

    init(
        accountID: Int64, store: AccountStore, db: PostgresConnection, oauth: OAuthClient,
        shouldAbort: @escaping @Sendable () -> Bool
    ) throws {
        self.accountID = accountID
        self.store = store
        self.db = db
        self.oauth = oauth
        self.shouldAbort = shouldAbort
        self.tokens = try store.tokens(id: accountID, on: db)
    }

    func accessToken() throws -> String {
        if let token = tokens.accessToken, let expiry = tokens.accessTokenExpiresAt, expiry > Date().addingTimeInterval(60) {
            return token
        }
        return try refresh()
    }

    func refresh() throws -> String {
        let grant: OAuthClient.Grant
        do {
            grant = try oauth.refresh(tokens.refreshToken, shouldAbort: shouldAbort)
        } catch let error as OAuthError where error.isInvalidGrant {
            throw CredentialsRefused(service: "Google", reason: error.message)
        }
        refreshes += 1
        tokens.accessToken = grant.accessToken
        tokens.accessTokenExpiresAt = grant.expiresAt
        if let rotated = grant.refreshToken { tokens.refreshToken = rotated }
        try store.saveTokens(id: accountID, tokens, on: db)
        return grant.accessToken
    }
}
