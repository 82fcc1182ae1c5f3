import Foundation
import GoogleEmulator
import HTTPClient
import TestSupport

/// Watch requests and waiting for push deliveries to settle.
extension EmulatorFixture {
    /// `events.watch` of the account's primary calendar (or `path`) with a web_hook channel to
    /// `address`; `extra` adds or overrides body fields.
    func watch(
        id: String, address: String, path: String = calendarPath + "/events/watch", token: String? = nil,
        extra: [String: Any] = [:], bearer: String? = nil
    ) throws -> HTTPResponse {
        var body: [String: Any] = ["id": id, "type": "web_hook", "address": address]
        if let token { body["token"] = token }
        for (key, value) in extra { body[key] = value }
        return try api("POST", path, json: body, token: bearer)
    }

    /// The channel of a successful watch answer, or a failure naming the answer.
    func watchChannel(
        id: String, address: String, path: String = calendarPath + "/events/watch", token: String? = nil,
        extra: [String: Any] = [:]
    ) throws -> [String: Any] {
        let response = try watch(id: id, address: address, path: path, token: token, extra: extra)
        guard response.status == 200 else { throw FixtureError("watch answered \(response.status): \(response.bodyExcerpt())") }
        return try Self.json(response)
    }

    /// Waits until every queued message was delivered, given up or dropped.
    @discardableResult
    func settled(timeout: Double = 10) -> Bool {
        eventually(timeout: timeout, every: 0.005) { emulator.pendingDeliveries == 0 }
    }

    func channel(_ id: String) -> PushChannelInfo? {
        emulator.channels().last { $0.id == id }
    }

    /// Milliseconds since the epoch now.
    static var nowMillis: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
