import Foundation

/// The parameters of `events.list`, read and checked as Google checks them.
///
/// `singleEvents=true` is refused with 400: the emulator stores series and exceptions as
/// written and does not expand RRULEs into instances. Accepted but without effect:
/// `alwaysIncludeEmail` (deprecated by Google), `maxAttendees`, `showHiddenInvitations`.
struct EventsListQuery: Sendable {
    /// Every parameter the emulator accepts; each is declared for `calendar.events.list` in
    /// Google's discovery document (a test checks).
    static let parameters: [String] = [
        "maxResults", "pageToken", "syncToken", "showDeleted", "singleEvents", "timeMin", "timeMax", "updatedMin", "q",
        "orderBy", "iCalUID", "privateExtendedProperty", "sharedExtendedProperty", "eventTypes", "timeZone",
        "alwaysIncludeEmail", "maxAttendees", "showHiddenInvitations",
    ]

    /// Google: "There are several query parameters that cannot be specified together with
    /// nextSyncToken to ensure consistency of the client state."
    static let forbiddenWithSyncToken: [String] = [
        "iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty", "timeMin", "timeMax", "updatedMin",
    ]

    static let maxPageSize = 2500

    var maxResults = 250
    var pageToken: String?
    var syncToken: String?
    var showDeleted = false
    var timeMin: Date?
    var timeMax: Date?
    var updatedMin: Date?
    var terms: [String] = []
    var orderByUpdated = false
    var iCalUID: String?
    var privateProperties: [(key: String, value: String)] = []
    var sharedProperties: [(key: String, value: String)] = []
    var eventTypes: Set<String> = []
    var timeZone: String?
    /// Identifies the filters, so a page token is only taken with the query that made it.
    var fingerprint: UInt64 = 0

    init(_ query: QueryParameters) throws(GoogleAPIError) {
        if let text = query.first("maxResults") {
            guard let value = Int(text), value >= 1 else {
                throw .invalid("Invalid value '\(text)'. Values must be within the range: [1, 2500]", parameter: "maxResults")
            }
            // Larger values are capped, not refused: "The page size can never be larger than 2500 events."
            maxResults = min(value, Self.maxPageSize)
        }
        pageToken = query.first("pageToken").flatMap { $0.isEmpty ? nil : $0 }
        syncToken = query.first("syncToken").flatMap { $0.isEmpty ? nil : $0 }
        showDeleted = try Self.bool(query, "showDeleted")
        if try Self.bool(query, "singleEvents") {
            throw .invalid("singleEvents=true is not supported by this emulator: it does not expand recurring events.", parameter: "singleEvents")
        }
        if syncToken != nil, let name = Self.forbiddenWithSyncToken.first(where: query.has) {
            throw .invalid("Sync token cannot be used with other parameters: \(name) is not allowed together with syncToken.", parameter: name)
        }
        timeMin = try Self.time(query, "timeMin")
        timeMax = try Self.time(query, "timeMax")
        updatedMin = try Self.time(query, "updatedMin")
        if let timeMin, let timeMax, timeMin >= timeMax { throw .timeRangeEmpty(location: "timeMax") }
        terms = (query.first("q") ?? "").lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        switch query.first("orderBy") {
        case nil: break
        case "updated": orderByUpdated = true
        case "startTime":
            throw .invalid("The requested ordering is not available for the particular query.", parameter: "orderBy")
        case let other?:
            throw .invalid("Invalid value '\(other)' for orderBy.", parameter: "orderBy")
        }
        iCalUID = query.first("iCalUID")
        privateProperties = try Self.properties(query, "privateExtendedProperty")
        sharedProperties = try Self.properties(query, "sharedExtendedProperty")
        eventTypes = Set(query.all("eventTypes").flatMap { $0.split(separator: ",").map(String.init) })
        if let zone = query.first("timeZone") {
            guard TimeZone(identifier: zone) != nil else { throw .invalid("Invalid time zone definition.", parameter: "timeZone") }
            timeZone = zone
        }
        for name in ["maxAttendees"] {
            if let text = query.first(name), Int(text).map({ $0 >= 1 }) != true {
                throw .invalid("Invalid value '\(text)'. Values must be within the range: [1, 2147483647]", parameter: name)
            }
        }
        fingerprint = ListTokens.fingerprint(query, ignoring: ["pageToken", "maxResults", "syncToken"])
    }

    private static func bool(_ query: QueryParameters, _ name: String) throws(GoogleAPIError) -> Bool {
        switch query.first(name) {
        case nil: false
        case "true": true
        case "false": false
        case let other?: throw .invalid("Invalid value '\(other)'. Expected a boolean.", parameter: name)
        }
    }

    private static func time(_ query: QueryParameters, _ name: String) throws(GoogleAPIError) -> Date? {
        guard let text = query.first(name) else { return nil }
        guard let date = RFC3339.parse(text) else { throw .invalid("Bad Request", parameter: name) }
        return date
    }

    private static func properties(_ query: QueryParameters, _ name: String) throws(GoogleAPIError) -> [(key: String, value: String)] {
        try query.all(name).map { (text: String) throws(GoogleAPIError) -> (key: String, value: String) in
            guard let equals = text.firstIndex(of: "=") else { throw .invalid("Invalid extended property constraint: \(text)", parameter: name) }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
    }
}
