public import Basics
public import Foundation

/// A connected calendar account as operators see it: never its tokens.
public struct Account: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case active
        /// Turned off by an operator; its jobs are discarded.
        case disabled
        /// Google refused the refresh token (`invalid_grant`): the user must connect it again.
        case needsReauth = "needs_reauth"
    }

    public var id: Int64
    public var email: String
    public var owner: String
    public var state: State
    public var keyID: String
    public var hasAccessToken: Bool
    public var accessTokenExpiresAt: Date?
    public var pausedUntil: Date?
    public var lastSyncedAt: Date?
    public var lastError: String?
    public var createdAt: Date
    /// Syncs that failed since the last one that succeeded.
    public var consecutiveFailures: Int = 0
    /// The calendar service its calendars are at (`google`).
    public var provider = "google"
}

/// An account's decrypted tokens, for the OAuth client only. Its description hides them, so
/// printing or logging one by mistake shows nothing secret.
public struct AccountTokens: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var refreshToken: String
    public var accessToken: String?
    public var accessTokenExpiresAt: Date?

    public init(refreshToken: String, accessToken: String? = nil, accessTokenExpiresAt: Date? = nil) {
        self.refreshToken = refreshToken
        self.accessToken = accessToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
    }

    public var description: String { "AccountTokens(redacted)" }
    public var debugDescription: String { description }
}

/// What went wrong with an account operation, in words an operator can act on.
public struct AccountError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable { case notFound, duplicate, noKey, invalid }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

extension AccountError: CalworkerError {
    public var errorCode: String {
        switch self.code {
        case .notFound: "not_found"
        case .duplicate: "duplicate"
        case .noKey: "no_key"
        case .invalid: "invalid"
        }
    }
    public var isRetryable: Bool { false }
}
