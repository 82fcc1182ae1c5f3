/// One bucket of the request statistics: how often a route answered with a status.
public struct RequestStat: Sendable, Hashable, CustomStringConvertible {
    public let method: String
    /// The route template (`calendars/{calendarId}/events`), `/token`, or `(unknown)`.
    public let route: String
    /// The HTTP status; 0 for a dropped connection.
    public let status: Int

    public init(method: String, route: String, status: Int) {
        self.method = method
        self.route = route
        self.status = status
    }

    public var description: String { "\(method) \(route) \(status)" }
}
