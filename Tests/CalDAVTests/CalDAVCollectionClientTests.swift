import CalDAV
import Foundation
import HTTPClient
import ICalendar
import Metrics
import TestSupport
import Testing

/// Incremental sync of one collection on each server: the first listing, an unchanged one in one
/// request, an edit, a delete, and a token the server no longer knows.
@Suite struct CalDAVCollectionClientTests {
    static func object(uid: String, summary: String, extra: String = "") -> Data {
        Data(
            """
            BEGIN:VCALENDAR\r
            VERSION:2.0\r
            PRODID:-//calworker//tests//EN\r
            BEGIN:VEVENT\r
            UID:\(uid)\r
            DTSTAMP:20260101T000000Z\r
            DTSTART;TZID=Europe/Berlin:20260302T093000\r
            DTEND;TZID=Europe/Berlin:20260302T094500\r
            SUMMARY:\(summary)\r
            \(extra)END:VEVENT\r
            END:VCALENDAR\r

            """.utf8)
    }

    @Test(arguments: CalDAVServerKind.allCases)
    func changesSinceATokenAreTheEditsAndDeletesAndAnUnchangedCalendarCostsOneRequest(kind: CalDAVServerKind) throws {
        let radicale = try kind.start()
        defer { radicale.stop() }
        let home = try CalDAVDiscovery(client: CalDAVDiscoveryTests.client(radicale.url)).calendarHome(from: radicale.url)
        try CalDAVDiscoveryTests.make(in: home, "work/", components: ["VEVENT"], displayName: "Work", color: "#000000", log: radicale.log)
        let metrics = MetricsRegistry()
        let client = DAVClient(http: HTTPClient(service: "caldav", metrics: metrics), origin: radicale.url, username: "cw", password: "x")
        let collection = home + "work/"
        func put(_ name: String, _ body: Data, ifMatch: String? = nil) throws -> Int {
            try client.send(
                "PUT", collection + name, headers: ifMatch.map { [HTTPHeader("If-Match", $0)] } ?? [HTTPHeader("If-None-Match", "*")],
                body: body, contentType: "text/calendar; charset=utf-8"
            ).status
        }
        #expect(try put("a.ics", Self.object(uid: "a", summary: "One")) == 201)
        #expect(try put("b%20b.ics", Self.object(uid: "b", summary: "Two")) == 201)
        #expect(try put("c.ics", Self.object(uid: "c", summary: "Weekly", extra: "RRULE:FREQ=WEEKLY;COUNT=10\r\n")) == 201)
        let reader = CalDAVCollectionClient(client: client)
        let first = try reader.changes(in: collection, since: nil)
        #expect(Set(first.changed.map(\.url)) == [collection + "a.ics", collection + "b%20b.ics", collection + "c.ics"] && first.removed.isEmpty)
        let objects = try reader.objects(first.changed.map(\.url), in: collection)
        var zones = ICalZones([])
        let uids = try objects.flatMap { try ICalEvent.events(in: try ICalParser.parse($0.data), zones: &zones) }.map(\.uid)
        #expect(Set(uids) == ["a", "b", "c"] && objects.allSatisfy { $0.etag != nil })

        func requests() -> Double {
            metrics.render().split(separator: "\n").filter { $0.hasPrefix("calworker_http_requests_total{") }
                .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        let before = requests()
        let unchanged = try reader.changes(in: collection, since: first.token)
        #expect(unchanged.changed.isEmpty && unchanged.removed.isEmpty && requests() - before == 1)

        let etag = try #require(objects.first { $0.url.hasSuffix("a.ics") }?.etag)
        #expect(try put("a.ics", Self.object(uid: "a", summary: "One\\, moved"), ifMatch: "\"stale\"") == 412, "a stale ETag is refused")
        #expect([201, 204].contains(try put("a.ics", Self.object(uid: "a", summary: "One\\, moved"), ifMatch: etag)))
        #expect([200, 204].contains(try client.send("DELETE", collection + "b%20b.ics").status))
        let later = try reader.changes(in: collection, since: unchanged.token)
        #expect(
            later.changed.map(\.url) == [collection + "a.ics"] && later.removed == [collection + "b%20b.ics"], "\(later) \(etag) \(radicale.log())")
        #expect(try reader.objects([collection + "a.ics"], in: collection).first?.data.contains("One\\, moved") == true)

        let error = try #require(throws: CalDAVError.self) { try reader.changes(in: collection, since: "http://radicale.org/ns/sync/bogus") }
        switch kind {
        case .radicale: #expect(error.kind == .syncTokenInvalid, "\(error)")
        // Xandikos 0.3 answers a token it never issued with a 500: an error that retries, and
        // never an empty list of changes.
        case .xandikos: #expect(error.kind == .unavailable, "\(error)")
        }
    }
}
