public import Foundation

/// A push notification channel as calworker keeps it (`calworker.push_channels`).
public struct PushChannel: Sendable, Equatable {
    /// What a channel watches.
    public enum Resource: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// The account's calendar list (`calendarList.watch`).
        case calendarList
        /// One calendar's events (`events.watch`).
        case events(calendarID: String)

        /// The `calendar_id` column: the calendar, or '' for the calendar list.
        public var calendarColumn: String {
            switch self {
            case .calendarList: ""
            case .events(let calendarID): calendarID
            }
        }

        public init(calendarColumn: String) {
            self = calendarColumn.isEmpty ? .calendarList : .events(calendarID: calendarColumn)
        }

        public var description: String {
            switch self {
            case .calendarList: "calendar list"
            case .events(let calendarID): calendarID
            }
        }
    }

    public enum State: String, Sendable, Codable {
        case pending, active, stopping, stopped, expired, failed
    }

    public var channelID: String
    public var accountID: Int64
    public var resource: Resource
    public var resourceID: String?
    public var state: State
    public var expiresAt: Date?
    public var confirmedAt: Date?
    public var lastMessageNumber: Int64
    public var lastMessageAt: Date?
    public var createdAt: Date
    public var endedAt: Date?
    public var lastError: String?

    public init(
        channelID: String, accountID: Int64, resource: Resource, resourceID: String? = nil, state: State,
        expiresAt: Date? = nil, confirmedAt: Date? = nil, lastMessageNumber: Int64 = 0, lastMessageAt: Date? = nil,
        createdAt: Date, endedAt: Date? = nil, lastError: String? = nil
    ) {
        self.channelID = channelID
        self.accountID = accountID
        self.resource = resource
        self.resourceID = resourceID
        self.state = state
        self.expiresAt = expiresAt
        self.confirmedAt = confirmedAt
        self.lastMessageNumber = lastMessageNumber
        self.lastMessageAt = lastMessageAt
        self.createdAt = createdAt
        self.endedAt = endedAt
        self.lastError = lastError
    }

    /// Pending or active, and not past its expiration: Google may still send on it.
    public func isLive(at now: Date) -> Bool {
        (state == .pending || state == .active) && (expiresAt.map { $0 > now } ?? true)
    }
}
