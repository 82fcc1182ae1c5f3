public import Foundation

/// Push notifications from a service: a channel per watched resource, renewed before it
/// expires and stopped when no longer wanted (Google's watch channels; Graph's subscriptions).
public protocol ChangeWatcher: AnyObject {
    /// Watches one calendar's events.
    func watchEvents(calendarID: String, _ channel: ChannelRequest) throws(ProviderError) -> WatchedChannel
    /// Watches the account's calendar list.
    func watchCalendarList(_ channel: ChannelRequest) throws(ProviderError) -> WatchedChannel
    /// Stops a channel; one the service no longer knows counts as stopped.
    func stopChannel(id: String, resourceID: String) throws(ProviderError)
}

/// What a watch asks for: a web-hook channel with calworker's id and token.
public struct ChannelRequest: Sendable {
    /// At most 64 characters; the service echoes it in its notifications.
    public var id: String
    /// Echoed in each notification, so the receiver can tell the service's messages from forgeries.
    public var token: String
    /// The receiver's public HTTPS URL.
    public var address: String
    /// The expiration asked for; the service grants at most its own maximum, and says what it granted.
    public var expiration: Date?

    public init(id: String, token: String, address: String, expiration: Date?) {
        self.id = id
        self.token = token
        self.address = address
        self.expiration = expiration
    }
}

/// A channel the service created: what stopping it and the receiver's checks need.
public struct WatchedChannel: Sendable, Equatable {
    public var id: String
    /// The service's opaque id of the watched resource, echoed in its notifications.
    public var resourceID: String
    /// When the service stops sending; nil when the answer had none (its default applies).
    public var expiration: Date?

    public init(id: String, resourceID: String, expiration: Date?) {
        self.id = id
        self.resourceID = resourceID
        self.expiration = expiration
    }
}
