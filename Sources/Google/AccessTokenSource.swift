import Foundation

/// Where the Calendar client gets its bearer token: the caller's cache, refreshed through
/// OAuth when missing or about to expire, and once more when Google answers 401.
public protocol AccessTokenSource: AnyObject {
    /// A token valid for at least a minute.
    func accessToken() throws -> String
    /// The current token was refused: get a new one.
    func refresh() throws -> String
}
