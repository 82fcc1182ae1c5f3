public import Basics

/// Why a sync stopped short, as the job decides what to do next.
public enum SyncFailure: Error, CustomStringConvertible, Sendable {
    /// The refresh token was refused: the user must connect the account again.
    case needsReauth(String)

    public var description: String {
        switch self {
        case .needsReauth(let message): "Google refused the refresh token (\(message)); the account needs to be connected again"
        }
    }
}

extension SyncFailure: CalworkerError {
    public var errorCode: String { "needs_reauth" }
    public var message: String { description }
    public var isRetryable: Bool { false }
}
