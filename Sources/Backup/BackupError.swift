public import Basics

/// Why a backup, a verification or a restore did not happen, with what to do about it.
public struct BackupError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// A tool or the store failed on the way (pg_dump, pg_restore, upload): worth retrying.
        case failed
        /// The backup is damaged, wrongly keyed or restores to other data than it recorded.
        case verificationFailed
        /// No such backup under the target.
        case notFound
        /// The command or configuration is wrong (no key, no target, bad URL).
        case invalid
        /// The restore target already holds data and `--force` was not given.
        case targetNotEmpty
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension BackupError: CalworkerError {
    public var errorCode: String { kind.rawValue }
    /// A run that failed on the way (the store, pg_dump) may work next time; a bad target, a
    /// missing backup or a failed restore test will not.
    public var isRetryable: Bool { kind == .failed }
}
