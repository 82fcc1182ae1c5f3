public import CalendarProviders
import Foundation

/// Push notification channels (developers.google.com/calendar/api/guides/push): `events.watch`,
/// `calendarList.watch` and `channels.stop`, through the same budget and retries as every call.
extension CalendarClient {
    public func watchEvents(calendarID: String, _ channel: ChannelRequest) throws(CalendarClientError) -> WatchedChannel {
        try watch("events.watch", path: "/calendars/\(Self.pathSegment(calendarID))/events/watch", channel)
    }

    public func watchCalendarList(_ channel: ChannelRequest) throws(CalendarClientError) -> WatchedChannel {
        try watch("calendarList.watch", path: "/users/me/calendarList/watch", channel)
    }

    /// Stops a channel; Google answers 204. A channel Google no longer knows (404) is stopped too.
    public func stopChannel(id: String, resourceID: String) throws(CalendarClientError) {
        do {
            _ = try call("channels.stop", "POST", "/channels/stop", json: ["id": id, "resourceId": resourceID])
        } catch .api(let error) where error.status == 404 {
            return
        }
    }

    private func watch(_ method: String, path: String, _ channel: ChannelRequest) throws(CalendarClientError) -> WatchedChannel {
        var body: [String: Any] = ["id": channel.id, "type": "web_hook", "address": channel.address, "token": channel.token]
        if let expiration = channel.expiration { body["expiration"] = String(Int64(expiration.timeIntervalSince1970 * 1000)) }
        return try WatchedChannel.parse(object(call(method, "POST", path, json: body), method), requested: channel.id, method: method)
    }
}

/// The check of a watch answer, apart from the call so a test can feed it any answer.
public enum WatchedChannelShape {
    public static func parse(_ object: [String: Any], requested id: String) throws(CalendarClientError) -> WatchedChannel {
        try WatchedChannel.parse(object, requested: id, method: "watch")
    }
}

extension WatchedChannel {
    /// Checks the answer's shape (discovery document `Channel`): the id we asked for, a
    /// resource id, and an expiration in milliseconds (a string of digits, or a number).
    static func parse(_ object: [String: Any], requested id: String, method: String) throws(CalendarClientError) -> WatchedChannel {
        guard object["id"] as? String == id else { throw .badResponse("\(method) answered for another channel id") }
        guard let resourceID = object["resourceId"] as? String, (1...256).contains(resourceID.utf8.count),
            !resourceID.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E })
        else {
            throw .badResponse("\(method) answered without a usable resourceId")
        }
        var expiration: Date?
        if let raw = object["expiration"] {
            let text = (raw as? String) ?? (raw as? NSNumber).map { "\($0.int64Value)" }
            guard let text, text.utf8.count <= 15, let milliseconds = Int64(text), milliseconds > 0 else {
                throw .badResponse("\(method) answered with an expiration that is not a time in milliseconds")
            }
            expiration = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        return WatchedChannel(id: id, resourceID: resourceID, expiration: expiration)
    }
}
