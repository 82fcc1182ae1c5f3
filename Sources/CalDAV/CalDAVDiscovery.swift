import DAV
import Foundation
import ICalendar

/// A calendar collection as discovery found it.
public struct CalDAVCollection: Sendable, Equatable {
    /// The collection's full URL (ends with `/`).
    public var url: String
    public var displayName: String?
    /// `#RRGGBB` (Apple's calendar-color, its alpha dropped).
    public var color: String?
    /// The zone the collection's `calendar-timezone` names, as an IANA identifier when known.
    public var timeZone: String?
    /// The privileges lack `write-content` (or `write`, `all`): its events are read, never written.
    public var readOnly: Bool
    /// RFC 6578: the server offers sync-collection on it (a `sync-token` property).
    public var syncToken: String?
    /// CalendarServer's ctag, for servers without sync-collection.
    public var ctag: String?
}

/// RFC 6764 and RFC 4791 discovery: from the URL an account was connected with (or its
/// `/.well-known/caldav`), the current user's principal, its calendar home, and the
/// collections in the home that hold events.
public struct CalDAVDiscovery: Sendable {
    public let client: DAVClient

    public init(client: DAVClient) { self.client = client }

    static let dav = Multistatus.dav
    static let caldav = Multistatus.caldav

    public func calendars(from url: String) throws(CalDAVError) -> [CalDAVCollection] {
        let home = try calendarHome(from: url)
        let listing = try client.multistatus(
            "PROPFIND", home, depth: "1",
            body: """
                <?xml version="1.0" encoding="utf-8"?>
                <d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:a="http://apple.com/ns/ical/">
                  <d:prop><d:resourcetype/><d:displayname/><a:calendar-color/><c:calendar-timezone/>
                    <c:supported-calendar-component-set/><d:current-user-privilege-set/><d:sync-token/><cs:getctag/></d:prop>
                </d:propfind>
                """)
        var collections: [CalDAVCollection] = []
        for response in listing.responses {
            guard response.property(Self.dav, "resourcetype")?.child(Self.caldav, "calendar") != nil else { continue }
            if let components = response.property(Self.caldav, "supported-calendar-component-set") {
                let names = components.children(Self.caldav, "comp").compactMap { $0.attributes["name"]?.uppercased() }
                guard names.isEmpty || names.contains("VEVENT") else { continue }
            }
            let url = try client.resolve(response.href, against: home)
            collections.append(
                CalDAVCollection(
                    url: url.hasSuffix("/") ? url : url + "/", displayName: response.property(Self.dav, "displayname")?.trimmedText.nonEmpty,
                    color: response.property(Multistatus.apple, "calendar-color").flatMap { Self.color($0.trimmedText) },
                    timeZone: response.property(Self.caldav, "calendar-timezone").flatMap { Self.zone($0.text) },
                    readOnly: response.property(Self.dav, "current-user-privilege-set").map(Self.isReadOnly) ?? false,
                    syncToken: response.property(Self.dav, "sync-token")?.trimmedText.nonEmpty,
                    ctag: response.property(Multistatus.calendarServer, "getctag")?.trimmedText.nonEmpty))
        }
        return collections.sorted { $0.url < $1.url }
    }

    /// The calendar home: through the principal at `url`, else at `/.well-known/caldav`.
    public func calendarHome(from url: String) throws(CalDAVError) -> String {
        let principal: String
        do {
            principal = try self.principal(at: url)
        } catch  where error.kind == .notCalDAV || error.kind == .gone || error.kind == .refused {
            guard let origin = DAVClient.origin(of: url) else { throw CalDAVError(.notCalDAV, "'\(url.prefix(200))' is not an http(s) URL") }
            principal = try self.principal(at: origin + "/.well-known/caldav")
        }
        let answer = try client.multistatus(
            "PROPFIND", principal, depth: "0",
            body: #"<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-home-set/></d:prop></d:propfind>"#)
        guard let href = answer.responses.first?.property(Self.caldav, "calendar-home-set")?.child(Self.dav, "href")?.trimmedText, !href.isEmpty
        else { throw CalDAVError(.notCalDAV, "the principal \(principal) names no calendar-home-set") }
        let home = try client.resolve(href, against: principal)
        return home.hasSuffix("/") ? home : home + "/"
    }

    func principal(at url: String) throws(CalDAVError) -> String {
        let answer = try client.multistatus(
            "PROPFIND", url, depth: "0", body: #"<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>"#)
        guard let href = answer.responses.first?.property(Self.dav, "current-user-principal")?.child(Self.dav, "href")?.trimmedText,
            !href.isEmpty
        else { throw CalDAVError(.notCalDAV, "\(url) names no current-user-principal") }
        return try client.resolve(href, against: url)
    }

    /// Without `write-content` (or `write`, or `all`) in the privileges, read-only.
    static func isReadOnly(_ set: XMLElement) -> Bool {
        let granted = set.children(dav, "privilege").flatMap(\.children).filter { $0.namespace == dav }.map(\.name)
        return !granted.contains { ["write-content", "write", "all"].contains($0) }
    }

    /// `#1E90FFFF` → `#1E90FF`; anything else is no colour.
    static func color(_ text: String) -> String? {
        let hex = text.hasPrefix("#") ? text.dropFirst() : Substring(text)
        guard hex.count == 6 || hex.count == 8, hex.allSatisfy(\.isHexDigit) else { return nil }
        return "#" + hex.prefix(6).uppercased()
    }

    /// The TZID of a calendar-timezone VCALENDAR, when it names a zone anyone knows.
    static func zone(_ text: String) -> String? {
        guard let components = try? ICalParser.parse(text) else { return nil }
        var zones = ICalZones(components)
        for timezone in components.flatMap({ $0.all("VTIMEZONE") }) {
            if let tzid = timezone.property("TZID")?.value, let zone = zones.zone(tzid) { return zone.identifier }
        }
        return nil
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
