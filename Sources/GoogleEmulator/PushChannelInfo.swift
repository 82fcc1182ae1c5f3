public import Foundation

/// What the emulator knows of one watch channel, for tests and `GET /admin/channels`.
public struct PushChannelInfo: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Messages are delivered.
        case live
        /// Stopped by `channels.stop`.
        case stopped
        /// Past its expiration (or expired by `expireChannel(id:)`).
        case expired
    }

    public enum Resource: Sendable, Equatable {
        /// `events.watch` of this calendar (the resolved id: `primary` is the account's email).
        case events(calendarID: String)
        /// `calendarList.watch` of the channel's account.
        case calendarList
    }

    public let id: String
    /// The account whose access token created the channel.
    public let account: String
    public let resource: Resource
    public let resourceID: String
    public let resourceURI: String
    public let address: String
    public let token: String?
    public let expiration: Date
    public let state: State
    /// Messages waiting: the one being delivered or awaiting a retry, and those after it.
    public let messagesQueued: Int
    public let messagesDelivered: Int
    /// Attempts answered 5xx/4xx or not answered at all (each retry counts).
    public let failedAttempts: Int
    /// Messages given up: refused with a status that is not retried, or out of attempts.
    public let messagesFailed: Int
    /// Messages lost on purpose (`pushDropRate`).
    public let messagesDropped: Int
    /// The `X-Goog-Message-Number` of the newest message (dropped ones included).
    public let lastMessageNumber: Int

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "account": .string(account), "resourceId": .string(resourceID), "resourceUri": .string(resourceURI),
            "address": .string(address), "expiration": .string(String(Int64((expiration.timeIntervalSince1970 * 1000).rounded()))),
            "expirationTime": .string(RFC3339.format(expiration)), "state": .string(state.rawValue),
            "messagesQueued": .int(Int64(messagesQueued)), "messagesDelivered": .int(Int64(messagesDelivered)),
            "failedAttempts": .int(Int64(failedAttempts)), "messagesFailed": .int(Int64(messagesFailed)),
            "messagesDropped": .int(Int64(messagesDropped)), "lastMessageNumber": .int(Int64(lastMessageNumber)),
        ]
        switch resource {
        case .events(let calendarID):
            object["resource"] = .string("events")
            object["calendarId"] = .string(calendarID)
        case .calendarList:
            object["resource"] = .string("calendarList")
        }
        if let token { object["token"] = .string(token) }
        return .object(object)
    }
}
