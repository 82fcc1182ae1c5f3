import CalDAV
import DAV
import Foundation
import HTTPClient
import HTTPServer
import Metrics
import Testing

/// What the client makes of answers real servers give rarely: relative hrefs, redirect loops,
/// read-only privileges, a calendar's zone, a truncated or tokenless sync report.
@Suite struct DAVClientTests {
    static func serve(_ handler: @escaping HTTPServer.Handler) throws -> (HTTPServer, String) {
        let server = try HTTPServer(address: "127.0.0.1:0", handler: handler)
        server.start()
        return (server, "http://127.0.0.1:\(server.port)")
    }

    @Test func hrefsResolveOnTheAccountsOriginOnly() throws {
        let client = CalDAVDiscoveryTests.client("https://dav.example.com/")
        #expect(try client.resolve("/cw/work/", against: "https://dav.example.com/cw/") == "https://dav.example.com/cw/work/")
        #expect(try client.resolve("work/", against: "https://dav.example.com/cw/") == "https://dav.example.com/cw/work/")
        #expect(try client.resolve("https://DAV.example.com/x/", against: "https://dav.example.com/") == "https://DAV.example.com/x/")
        #expect(throws: CalDAVError.self) { try client.resolve("https://evil.example.net/x/", against: "https://dav.example.com/") }
        #expect(DAVClient.origin(of: "ftp://dav.example.com/") == nil && DAVClient.origin(of: "https://h:8443/p") == "https://h:8443")
    }

    @Test func aRedirectLoopIsRefusedAfterAFew() throws {
        let (server, url) = try Self.serve { _ in HTTPServerResponse(status: 307, body: "", headers: [("Location", "/again/")]) }
        defer { server.stop() }
        let error = try #require(throws: CalDAVError.self) { try CalDAVDiscoveryTests.client(url).send("PROPFIND", url + "/") }
        #expect(error.kind == .redirectRefused && error.message.contains("more than"))
    }

    @Test func aCollectionWithoutWriteContentIsReadOnlyAndItsZoneIsRead() throws {
        let listing = """
            <d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
            <d:response><d:href>/p/</d:href><d:propstat><d:prop>
              <d:current-user-principal><d:href>/p/</d:href></d:current-user-principal>
              <c:calendar-home-set><d:href>home/</d:href></c:calendar-home-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
            <d:response><d:href>/p/home/holidays</d:href><d:propstat><d:prop>
              <d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Holidays</d:displayname>
              <d:current-user-privilege-set><d:privilege><d:read/></d:privilege></d:current-user-privilege-set>
              <c:calendar-timezone>BEGIN:VCALENDAR&#13;
            BEGIN:VTIMEZONE&#13;
            TZID:Europe/Vienna&#13;
            END:VTIMEZONE&#13;
            END:VCALENDAR&#13;
            </c:calendar-timezone></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
            </d:multistatus>
            """
        let (server, url) = try Self.serve { _ in HTTPServerResponse(status: 207, body: listing) }
        defer { server.stop() }
        let found = try CalDAVDiscovery(client: CalDAVDiscoveryTests.client(url)).calendars(from: url + "/p/")
        let holidays = try #require(found.first { $0.displayName == "Holidays" })
        #expect(holidays.readOnly && holidays.timeZone == "Europe/Vienna" && holidays.url == url + "/p/home/holidays/")
    }

    @Test(arguments: [
        (
            #"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/c/a.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#,
            "without a sync-token"
        ),
        (
            #"<d:multistatus xmlns:d="DAV:"><d:response><d:href>https://elsewhere.example/c/a.ics</d:href></d:response><d:sync-token>t</d:sync-token></d:multistatus>"#,
            "not http"
        ),
    ])
    func aSyncReportWithoutATokenOrWithAForeignHrefIsAnError(body: String, message: String) throws {
        let (server, url) = try Self.serve { _ in HTTPServerResponse(status: 207, body: body) }
        defer { server.stop() }
        let error = try #require(throws: CalDAVError.self) {
            try CalDAVCollectionClient(client: CalDAVDiscoveryTests.client(url)).changes(in: url + "/c/", since: "t0")
        }
        #expect(error.kind == .malformed && error.message.contains(message), "\(error)")
    }

    @Test func aTruncatedSyncReportSaysSo() throws {
        let body = """
            <d:multistatus xmlns:d="DAV:"><d:response><d:href>/c/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response>
            <d:response><d:href>/c/a.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
            <d:sync-token>t1</d:sync-token></d:multistatus>
            """
        let (server, url) = try Self.serve { _ in HTTPServerResponse(status: 207, body: body) }
        defer { server.stop() }
        let changes = try CalDAVCollectionClient(client: CalDAVDiscoveryTests.client(url)).changes(in: url + "/c/", since: "t0")
        #expect(changes.truncated && changes.changed.map(\.url) == [url + "/c/a.ics"] && changes.token == "t1")
    }

    @Test func preconditionsAndOtherAnswersAreClassified() throws {
        for (status, body, kind) in [
            (403, #"<d:error xmlns:d="DAV:"><d:valid-sync-token/></d:error>"#, CalDAVError.Kind.syncTokenInvalid),
            (403, #"<d:error xmlns:d="DAV:"><d:need-privileges/></d:error>"#, .refused), (404, "", .gone), (412, "", .preconditionFailed),
            (400, "bad", .refused),
        ] {
            let (server, url) = try Self.serve { _ in HTTPServerResponse(status: status, body: body) }
            defer { server.stop() }
            let error = try #require(throws: CalDAVError.self) {
                try CalDAVDiscoveryTests.client(url).multistatus("REPORT", url + "/c/", depth: nil, body: "")
            }
            #expect(error.kind == kind, "\(status) \(body): \(error)")
            #expect(error.isRetryable == (kind == .malformed))
        }
    }

    /// A server that echoes the credentials back in an error: the error says what happened,
    /// never the password.
    @Test func aServerEchoingThePasswordNeverPutsItInAnError() throws {
        let password = "echoed-App-Password-8842"
        let (server, url) = try Self.serve { request in
            HTTPServerResponse(status: 500, body: "failed for \(password), header \(request.header("Authorization") ?? "")")
        }
        defer { server.stop() }
        let client = DAVClient(http: HTTPClient(service: "caldav", metrics: MetricsRegistry()), origin: url, username: "cw", password: password)
        let error = try #require(throws: CalDAVError.self) { try client.send("PROPFIND", url + "/") }
        #expect(error.kind == .unavailable && !error.message.contains(password), "\(error.message)")
        #expect(!error.message.contains(Data("cw:\(password)".utf8).base64EncodedString()), "\(error.message)")
    }
}
