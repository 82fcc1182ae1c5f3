public import Basics
import Crypto

/// The tokens that log in (`CALWORKER_CONSOLE_TOKEN`, `CALWORKER_CONSOLE_READONLY_TOKEN`), kept
/// only as their SHA-256 and compared in constant time, so neither a timing nor a memory dump
/// of this value gives a token away.
public struct ConsoleTokens: Sendable {
    private let operatorDigest: [UInt8]?
    private let readOnlyDigest: [UInt8]?

    /// Empty tokens are no tokens. The two must differ, or a read-only login could act.
    public init(operatorToken: String, readOnlyToken: String = "") throws(ConsoleError) {
        guard !operatorToken.isEmpty || !readOnlyToken.isEmpty else {
            throw ConsoleError("the console needs CALWORKER_CONSOLE_TOKEN (or _FILE); generate one with: openssl rand -hex 32")
        }
        for token in [operatorToken, readOnlyToken] where !token.isEmpty && token.utf8.count < 16 {
            throw ConsoleError("a console token needs at least 16 characters; generate one with: openssl rand -hex 32")
        }
        guard operatorToken.isEmpty || operatorToken != readOnlyToken else {
            throw ConsoleError("CALWORKER_CONSOLE_TOKEN and CALWORKER_CONSOLE_READONLY_TOKEN are the same; give each its own")
        }
        operatorDigest = operatorToken.isEmpty ? nil : Digest.sha256(Array(operatorToken.utf8))
        readOnlyDigest = readOnlyToken.isEmpty ? nil : Digest.sha256(Array(readOnlyToken.utf8))
    }

    /// The role a presented token logs in as; nil for any other text. Both digests are always
    /// compared, so the time taken does not tell which one matched.
    public func role(for presented: String) -> ConsoleRole? {
        let digest = Digest.sha256(Array(presented.utf8))
        let isOperator = operatorDigest.map { Digest.constantTimeEquals($0, digest) } ?? false
        let isReadOnly = readOnlyDigest.map { Digest.constantTimeEquals($0, digest) } ?? false
        return isOperator ? .operator : isReadOnly ? .readOnly : nil
    }
}

/// Why the console cannot start or a request cannot go on, in words for an operator.
public struct ConsoleError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ConsoleError: CalworkerError {
    public var errorCode: String { "console" }
    /// A console that cannot start or a request that cannot go on: nothing changes by itself.
    public var isRetryable: Bool { false }
}
