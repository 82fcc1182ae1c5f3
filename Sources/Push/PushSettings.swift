public import Foundation

/// Push notifications (CALWORKER_PUSH_URL): where Google sends them and how channels are kept.
/// Without them (nil in `SyncEngine.push`), no channel is created and syncs come from polling.
public struct PushSettings: Sendable, Equatable {
    /// The receiver's public HTTPS URL, as Google must call it.
    public var address: String
    /// A channel is replaced when it has less than this left (the hourly `watch_channels`
    /// run and every sync check), so renewal has many chances before a channel expires.
    public var renewBefore: TimeInterval = 24 * 3600
    /// The expiration asked for; Google grants at most its own maximum (about a week for
    /// Calendar), and the channel keeps what Google granted.
    public var requestedLifetime: TimeInterval = 30 * 24 * 3600
    /// How long a notified sync waits before it starts, so a burst of notifications for one
    /// calendar (a user dragging events about) becomes one sync.
    public var coalesceDelay: Duration = .milliseconds(300)
    /// An account whose channels are all healthy is left out of the five-minute poll until
    /// its last full sync is older than this (CALWORKER_PUSH_SAFETY_POLL): lost
    /// notifications are caught within it.
    public var safetyPoll: Duration = .seconds(3600)

    public init(address: String) {
        self.address = address
    }

    /// The path the receiver serves: the URL's path exactly as written (a trailing slash kept,
    /// percent-encoding as is), which is what Google posts to and a reverse proxy passes on.
    /// Foundation's `URL.path` drops a trailing slash: the receiver then served `/push/google`
    /// while Google posted to `/push/google/` and got 405, so every account stayed on polling.
    public var receiverPath: String {
        guard let path = URLComponents(string: address)?.percentEncodedPath, !path.isEmpty else { return "/" }
        return path
    }
}
