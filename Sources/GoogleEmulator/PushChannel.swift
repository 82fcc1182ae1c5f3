import Foundation

/// A watch channel (`api#channel`) and the messages waiting for its receiver.
///
/// Channels are kept after they stop or expire (for `GoogleEmulator.channels()`), under a key
/// of their own: a channel id is unique only among live channels, so a client may reuse it.
struct PushChannel: Sendable {
    /// One notification (`sync` or `exists`) not yet delivered or given up.
    struct Message: Sendable {
        let number: Int
        let resourceState: String
        /// Attempts made so far.
        var attempts = 0
        /// When the next attempt may start.
        var due: Date
    }

    let key: String
    let id: String
    let account: String
    let resource: PushResource
    let resourceID: String
    let resourceURI: String
    let address: String
    let token: String?
    /// Milliseconds since the epoch, as Google gives it.
    var expirationMillis: Int64
    var state: PushChannelInfo.State = .live
    /// Messages in order; the first is being delivered or waits for its (next) attempt. One
    /// message of a channel is attempted at a time, so a receiver sees its numbers in order.
    var queue: [Message] = []
    var inFlight = false
    var lastMessageNumber = 0
    var delivered = 0
    var failedAttempts = 0
    var failed = 0
    var dropped = 0

    var expiration: Date { Date(timeIntervalSince1970: Double(expirationMillis) / 1000) }

    func isExpired(at now: Date) -> Bool { Int64((now.timeIntervalSince1970 * 1000).rounded(.down)) >= expirationMillis }

    var info: PushChannelInfo {
        let kind: PushChannelInfo.Resource
        switch resource {
        case .events(let calendarID): kind = .events(calendarID: calendarID)
        case .calendarList: kind = .calendarList
        }
        return PushChannelInfo(
            id: id, account: account, resource: kind, resourceID: resourceID, resourceURI: resourceURI, address: address,
            token: token, expiration: expiration, state: state, messagesQueued: queue.count,
            messagesDelivered: delivered, failedAttempts: failedAttempts, messagesFailed: failed,
            messagesDropped: dropped, lastMessageNumber: lastMessageNumber)
    }

    /// The `api#channel` answer of a watch request.
    var rendered: JSONValue {
        var object: [String: JSONValue] = [
            "kind": .string("api#channel"), "id": .string(id), "resourceId": .string(resourceID), "resourceUri": .string(resourceURI),
            "expiration": .string(String(expirationMillis)),
        ]
        if let token { object["token"] = .string(token) }
        return .object(object)
    }
}
