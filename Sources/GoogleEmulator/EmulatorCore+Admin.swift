import Foundation
import HTTPServer
import Synchronization

/// The admin interface under `/admin`: no authentication, JSON bodies, for tests in other
/// processes, the demo and benchmarks. Each route does what one `GoogleEmulator` method does.
extension EmulatorCore {
    /// Every admin route, as `METHOD template` below `/admin/`.
    static let adminRoutes: [String] = [
        "POST seed", "POST reset", "POST options", "GET state", "GET stats", "DELETE stats",
        "POST calendars/{calendarId}/events", "GET calendars/{calendarId}/events/{eventId}",
        "PATCH calendars/{calendarId}/events/{eventId}", "DELETE calendars/{calendarId}/events/{eventId}",
        "POST accounts/{email}/calendars", "DELETE accounts/{email}/calendars/{calendarId}",
        "POST accounts/{email}/revoke", "POST accounts/{email}/access-token", "POST tokens/expire",
        "POST calendars/{calendarId}/invalidate-sync-tokens", "POST invalidate-sync-tokens",
        "GET faults", "POST faults", "DELETE faults",
        "GET channels", "POST channels/{id}/expire",
    ]

    func handleAdmin(_ request: HTTPServerRequest) -> Reply {
        let segments = PathTemplate.segments(request.path.dropFirst("/admin/".count))
        for route in Self.adminRoutes {
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts[0] == request.method, let parameters = PathTemplate.match(parts[1], segments) else { continue }
            let body = request.body.isEmpty ? JSONValue.object([:]) : JSONValue.parse(request.body)
            return state.withLock { state in
                do throws(GoogleAPIError) {
                    guard let body else { throw .parseError }
                    return try Self.admin(parts[1], method: parts[0], parameters, body: body, state: &state)
                } catch {
                    return Reply(error)
                }
            }
        }
        return Reply(.notFound)
    }

    private static func admin(
        _ template: String, method: String, _ parameters: [String: String], body: JSONValue,
        state: inout EmulatorState
    ) throws(GoogleAPIError) -> Reply {
        let calendarID = parameters["calendarId"] ?? ""
        let email = parameters["email"] ?? ""
        let object = body.object ?? [:]
        let ok = Reply(body: .object(["ok": .bool(true)]))
        switch (method, template) {
        case ("POST", "seed"):
            var seeded = state
            try seeded.seed(body)
            state = seeded
            return ok
        case ("POST", "reset"):
            state.reset()
            return ok
        case ("POST", "options"):
            var options = state.options
            try options.apply(object)
            state.options = options
            return Reply(body: options.json)
        case ("GET", "state"):
            return Reply(body: state.dump)
        case ("GET", "stats"):
            return Reply(body: state.statsJSON)
        case ("DELETE", "stats"):
            state.stats.removeAll()
            return ok
        case ("POST", "calendars/{calendarId}/events"):
            let event = try state.insertEvent(calendarID: calendarID, body: object, actor: calendarID, validateID: false)
            return Reply(body: event.rendered(calendarID: calendarID))
        case ("GET", "calendars/{calendarId}/events/{eventId}"):
            guard let event = state.event(calendarID: calendarID, eventID: parameters["eventId"]!) else { throw .notFound }
            return Reply(body: event.rendered(calendarID: calendarID))
        case ("PATCH", "calendars/{calendarId}/events/{eventId}"):
            let event = try state.patchEvent(calendarID: calendarID, eventID: parameters["eventId"]!, patch: object, ifMatch: nil)
            return Reply(body: event.rendered(calendarID: calendarID))
        case ("DELETE", "calendars/{calendarId}/events/{eventId}"):
            try state.deleteEvent(calendarID: calendarID, eventID: parameters["eventId"]!, ifMatch: nil)
            return Reply(status: 204, body: nil)
        case ("POST", "accounts/{email}/calendars"):
            guard state.accounts[email] != nil else { throw .notFound }
            try state.seedCalendar(body, account: email)
            return ok
        case ("DELETE", "accounts/{email}/calendars/{calendarId}"):
            try state.removeCalendar(account: email, calendarID: calendarID)
            return Reply(status: 204, body: nil)
        case ("POST", "accounts/{email}/revoke"):
            try state.revoke(account: email)
            return ok
        case ("POST", "accounts/{email}/access-token"):
            guard state.accounts[email] != nil else { throw .notFound }
            return Reply(body: .object(["access_token": .string(state.issueAccessToken(for: email))]))
        case ("POST", "tokens/expire"):
            state.expireAccessTokens(account: object["account"]?.string)
            return ok
        case ("POST", "calendars/{calendarId}/invalidate-sync-tokens"):
            try state.invalidateSyncTokens(calendarID: calendarID)
            return ok
        case ("POST", "invalidate-sync-tokens"):
            try state.invalidateSyncTokens(calendarID: nil)
            return ok
        case ("GET", "faults"):
            return Reply(body: state.faults.json)
        case ("POST", "faults"):
            try state.faults.apply(object)
            return Reply(body: state.faults.json)
        case ("DELETE", "faults"):
            state.faults = FaultState()
            return ok
        case ("GET", "channels"):
            let now = state.now()
            let channels = state.push.infos(now: now).map(\.json)
            return Reply(body: .object(["channels": .array(channels), "pendingDeliveries": .int(Int64(state.push.pendingCount(now: now)))]))
        case ("POST", "channels/{id}/expire"):
            try state.expireChannel(id: parameters["id"]!)
            return ok
        default:
            throw .notFound
        }
    }
}

extension FaultState {
    /// `{"rate": 0.1, "kinds": ["rateLimit429"], "seed": 42, "includeTokenEndpoint": false}`
    /// replaces the random faults; `{"next": [{"kind": "rateLimit429", "count": 1}]}` queues
    /// exact ones.
    mutating func apply(_ object: [String: JSONValue]) throws(GoogleAPIError) {
        if let rate = object["rate"] {
            guard let value = rate.double, (0...1).contains(value) else { throw .invalid("rate must be a number from 0 to 1") }
            var kinds: [FaultKind] = []
            for name in object["kinds"]?.array ?? [] {
                guard let kind = name.string.flatMap(FaultKind.init(rawValue:)) else { throw .invalid("unknown fault kind \(name)") }
                kinds.append(kind)
            }
            configure(
                rate: value, kinds: kinds, seed: UInt64(bitPattern: object["seed"]?.int ?? 0),
                includeTokenEndpoint: object["includeTokenEndpoint"]?.bool ?? false)
        } else if let include = object["includeTokenEndpoint"]?.bool {
            includeTokenEndpoint = include
        }
        for item in object["next"]?.array ?? [] {
            guard let kind = item["kind"]?.string.flatMap(FaultKind.init(rawValue:)) else { throw .invalid("unknown fault kind in next") }
            let count = Int(item["count"]?.int ?? 1)
            guard count >= 1 else { throw .invalid("count must be at least 1") }
            queue.append((kind, count))
        }
    }

    mutating func configure(rate: Double, kinds: [FaultKind], seed: UInt64, includeTokenEndpoint: Bool) {
        self.rate = rate
        self.kinds = kinds
        self.seed = seed
        self.includeTokenEndpoint = includeTokenEndpoint
        generator = SplitMix64(seed: seed)
    }
}
