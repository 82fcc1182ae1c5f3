public import Basics
public import Postgres

/// Makes the provider of one kind (`google`) for an account: wired once per run with what the
/// service needs (HTTP clients, credentials, budgets), so the account's sync, every mirror
/// lane writing as another account and the channel upkeep share it.
public protocol ProviderDirectory: Sendable {
    /// The provider speaking as `accountID`, its credentials read and kept on `session`.
    /// Throws the account store's error when they cannot be read (no key, say).
    func provider(forAccount accountID: Int64, session: PostgresConnection, shouldAbort: @escaping @Sendable () -> Bool) throws
        -> any CalendarProvider
}

/// Every provider this worker can speak, by the `provider` an account row names.
public struct Providers: Sendable {
    private let directories: [String: any ProviderDirectory]

    public init(_ directories: [String: any ProviderDirectory]) {
        self.directories = directories
    }

    /// The kinds this worker knows.
    public var kinds: [String] { directories.keys.sorted() }

    /// The provider for an account of `kind`.
    public func provider(
        kind: String, forAccount accountID: Int64, session: PostgresConnection, shouldAbort: @escaping @Sendable () -> Bool
    ) throws -> any CalendarProvider {
        guard let directory = directories[kind] else { throw UnknownProvider(kind: kind, known: kinds) }
        return try directory.provider(forAccount: accountID, session: session, shouldAbort: shouldAbort)
    }
}

/// An account names a provider this worker was not built or configured for.
public struct UnknownProvider: Error, Sendable {
    public var kind: String
    public var known: [String]

    public init(kind: String, known: [String]) {
        self.kind = kind
        self.known = known
    }
}

extension UnknownProvider: CalworkerError {
    public var errorCode: String { "unknown_provider" }
    public var message: String {
        "the account's provider '\(kind)' is not one this worker speaks (\(known.joined(separator: ", "))); upgrade the worker or fix the account"
    }
    public var isRetryable: Bool { false }
}
