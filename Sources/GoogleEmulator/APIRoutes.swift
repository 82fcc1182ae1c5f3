/// The Calendar API routes the emulator serves, as discovery-document path templates relative
/// to the API root (`/calendar/v3/`), and how a request path finds its route.
enum APIRoute: String, Sendable, CaseIterable {
    case calendarListList = "GET users/me/calendarList"
    case calendarListGet = "GET users/me/calendarList/{calendarId}"
    case calendarsGet = "GET calendars/{calendarId}"
    case eventsList = "GET calendars/{calendarId}/events"
    case eventsInsert = "POST calendars/{calendarId}/events"
    case eventsGet = "GET calendars/{calendarId}/events/{eventId}"
    case eventsPatch = "PATCH calendars/{calendarId}/events/{eventId}"
    case eventsUpdate = "PUT calendars/{calendarId}/events/{eventId}"
    case eventsDelete = "DELETE calendars/{calendarId}/events/{eventId}"
    case eventsWatch = "POST calendars/{calendarId}/events/watch"
    case calendarListWatch = "POST users/me/calendarList/watch"
    case channelsStop = "POST channels/stop"

    var method: String { String(rawValue.split(separator: " ")[0]) }
    var template: String { String(rawValue.split(separator: " ")[1]) }

    /// Push notification routes (answered by `EmulatorCore.respondPush`).
    var isPush: Bool { self == .eventsWatch || self == .calendarListWatch || self == .channelsStop }

    /// The route and its path parameters (percent-decoded: `a%40example.com` is
    /// `a@example.com`), or nil when no route has this method and path.
    static func match(method: String, segments: [String]) -> (route: APIRoute, parameters: [String: String])? {
        for route in allCases where route.method == method {
            if let parameters = PathTemplate.match(route.template, segments) { return (route, parameters) }
        }
        return nil
    }
}

/// Matches `a/{x}/b` against decoded path segments.
enum PathTemplate {
    static func match(_ template: String, _ segments: [String]) -> [String: String]? {
        let parts = template.split(separator: "/").map(String.init)
        guard parts.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (part, segment) in zip(parts, segments) {
            if part.hasPrefix("{") && part.hasSuffix("}") {
                guard !segment.isEmpty else { return nil }
                parameters[String(part.dropFirst().dropLast())] = segment
            } else if part != segment {
                return nil
            }
        }
        return parameters
    }

    /// Splits a raw request path (after a prefix) into percent-decoded segments; `+` stays a
    /// plus in a path.
    static func segments(_ rawPath: Substring) -> [String] {
        rawPath.split(separator: "/", omittingEmptySubsequences: false).map { QueryParameters.decode($0, plusIsSpace: false) }
    }
}
