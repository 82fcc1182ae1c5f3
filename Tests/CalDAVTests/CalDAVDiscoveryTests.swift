import CalDAV
import Foundation
import HTTPClient
import HTTPServer
import Metrics
import TestSupport
import Testing

/// Discovery against Radicale and Xandikos, and against servers that answer what none should.
@Suite struct CalDAVDiscoveryTests {
    static func client(_ url: String, origin: String? = nil) -> DAVClient {
        DAVClient(
            http: HTTPClient(service: "caldav", metrics: MetricsRegistry()), origin: origin ?? DAVClient.origin(of: url)!, username: "cw",
            password: "app-password")
    }

    /// MKCALENDAR `name` in the calendar home.
    static func make(
        in home: String, _ name: String, components: [String], displayName: String, color: String, log: () -> String = { "" }
    ) throws {
        let comps = components.map { #"<c:comp name="\#($0)"/>"# }.joined()
        let response = try client(home).send(
            "MKCALENDAR", home + name,
            body: Data(
                """
                <?xml version="1.0" encoding="utf-8"?>
                <c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop>
                <d:displayname>\(displayName)</d:displayname><a:calendar-color>\(color)</a:calendar-color>
                <c:supported-calendar-component-set>\(comps)</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>
                """.utf8), contentType: "application/xml")
        #expect(response.status == 201, "MKCALENDAR \(name): \(response.status) \(log())")
    }

    @Test(arguments: CalDAVServerKind.allCases)
    func eventCalendarsAreFoundFromTheBareURL(kind: CalDAVServerKind) throws {
        let server = try kind.start()
        defer { server.stop() }
        let discovery = CalDAVDiscovery(client: Self.client(server.url))
        let home = try discovery.calendarHome(from: server.url)
        try Self.make(in: home, "work/", components: ["VEVENT"], displayName: "Work &amp; more", color: "#1E90FFFF", log: server.log)
        try Self.make(in: home, "tasks/", components: ["VTODO"], displayName: "Tasks", color: "#00FF00", log: server.log)
        try Self.make(in: home, "family/", components: ["VEVENT", "VTODO"], displayName: "Family", color: "nonsense", log: server.log)
        let found = try discovery.calendars(from: server.url)
        switch kind {
        case .radicale:
            #expect(found.map(\.url) == [home + "family/", home + "work/"], "the task list is left out")
            #expect(found.last?.color == "#1E90FF" && found.first?.color == nil, "a colour that is no colour is none")
        case .xandikos:
            // Xandikos 0.3 keeps neither the component set nor the colour MKCALENDAR asked for:
            // every calendar it makes holds events, and has no colour.
            #expect(found.map(\.url) == [home + "family/", home + "tasks/", home + "work/"])
        }
        let work = try #require(found.last)
        #expect(work.displayName == "Work & more" && !work.readOnly, "\(work)")
        #expect(work.syncToken != nil, "sync-collection is offered")
        // A URL that is no principal: through /.well-known/caldav (RFC 6764), redirects followed on the same host.
        #expect(try discovery.calendars(from: server.url + "/no/such/place/") == found)
    }

    @Test func aRedirectToAnotherHostIsRefusedBeforeThePasswordFollowsIt() throws {
        let elsewhere = try HTTPServer(address: "127.0.0.1:0") { _ in HTTPServerResponse(status: 207, body: "") }
        elsewhere.start()
        defer { elsewhere.stop() }
        let server = try HTTPServer(address: "127.0.0.1:0") { _ in
            HTTPServerResponse(status: 301, body: "", headers: [("Location", "http://localhost:\(elsewhere.port)/dav/")])
        }
        server.start()
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/"
        let error = try #require(throws: CalDAVError.self) { try CalDAVDiscovery(client: Self.client(url)).calendars(from: url) }
        #expect(error.kind == .redirectRefused, "\(error)")
    }

    @Test(arguments: [
        (207, #"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><m>&b;</m>"#, CalDAVError.Kind.malformed),
        (207, "<html><body>Welcome to our portal</body></html>", .malformed),
        (207, "<d:multistatus xmlns:d=\"DAV:\"><d:response>", .malformed),
        (200, "<d:multistatus xmlns:d=\"DAV:\"/>", .refused),
        (401, "no", .authRefused),
        (503, "busy", .rateLimited),
        (500, "oops", .unavailable),
    ])
    func hostileAnswersAreErrorsOfTheirKindNeverAnEmptyListing(status: Int, body: String, kind: CalDAVError.Kind) throws {
        let server = try HTTPServer(address: "127.0.0.1:0") { _ in HTTPServerResponse(status: status, body: body, headers: [("Retry-After", "7")]) }
        server.start()
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/"
        let error = try #require(throws: CalDAVError.self) { try CalDAVDiscovery(client: Self.client(url)).calendars(from: url) }
        #expect(error.kind == kind, "\(error)")
        if kind == .rateLimited { #expect(error.wait == .seconds(7)) }
    }

    @Test func aMultistatusPastTheSizeLimitIsRefusedUnread() throws {
        let huge =
            "<d:multistatus xmlns:d=\"DAV:\">" + String(repeating: "<d:response><d:href>/x</d:href></d:response>", count: 50_000) + "</d:multistatus>"
        let server = try HTTPServer(address: "127.0.0.1:0") { _ in HTTPServerResponse(status: 207, body: huge) }
        server.start()
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/"
        var client = Self.client(url)
        client.maxResponseBytes = 1 << 20
        let error = try #require(throws: CalDAVError.self) { try CalDAVDiscovery(client: client).calendars(from: url) }
        #expect(error.kind == .malformed, "\(error)")
    }
}
