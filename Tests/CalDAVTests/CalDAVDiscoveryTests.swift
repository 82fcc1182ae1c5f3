import CalDAV
import Foundation
import HTTPClient
import HTTPServer
import Metrics
import TestSupport
import Testing

/// Discovery against Debian's Radicale, and against servers that answer what none should.
@Suite struct CalDAVDiscoveryTests {
    static func client(_ url: String, origin: String? = nil) -> DAVClient {
        DAVClient(
            http: HTTPClient(service: "caldav", metrics: MetricsRegistry()), origin: origin ?? DAVClient.origin(of: url)!, username: "cw",
            password: "app-password")
    }

    static func make(_ radicale: RadicaleServer, _ path: String, components: [String], name: String, color: String) throws {
        let comps = components.map { #"<c:comp name="\#($0)"/>"# }.joined()
        let response = try client(radicale.url).send(
            "MKCALENDAR", radicale.url + path,
            body: Data(
                """
                <?xml version="1.0" encoding="utf-8"?>
                <c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop>
                <d:displayname>\(name)</d:displayname><a:calendar-color>\(color)</a:calendar-color>
                <c:supported-calendar-component-set>\(comps)</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>
                """.utf8), contentType: "application/xml")
        #expect(response.status == 201, "MKCALENDAR \(path): \(response.status) \(radicale.log)")
    }

    @Test func radicalesEventCalendarsAreFoundFromTheBareURL() throws {
        let radicale = try RadicaleServer()
        defer { radicale.stop() }
        try Self.make(radicale, "/cw/work/", components: ["VEVENT"], name: "Work &amp; more", color: "#1E90FFFF")
        try Self.make(radicale, "/cw/tasks/", components: ["VTODO"], name: "Tasks", color: "#00FF00")
        try Self.make(radicale, "/cw/family/", components: ["VEVENT", "VTODO"], name: "Family", color: "nonsense")
        let found = try CalDAVDiscovery(client: Self.client(radicale.url)).calendars(from: radicale.url)
        #expect(found.map(\.url) == [radicale.url + "/cw/family/", radicale.url + "/cw/work/"], "the task list is left out")
        let work = try #require(found.last)
        #expect(work.displayName == "Work & more" && work.color == "#1E90FF" && !work.readOnly)
        #expect(work.syncToken != nil, "Radicale offers sync-collection")
        #expect(found.first?.color == nil, "a colour that is no colour is none")
        // A URL that is no principal: through /.well-known/caldav (RFC 6764), redirects followed on the same host.
        #expect(try CalDAVDiscovery(client: Self.client(radicale.url)).calendars(from: radicale.url + "/no/such/place/") == found)
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
