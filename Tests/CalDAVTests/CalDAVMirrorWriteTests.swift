import CalDAV
import Foundation
import HTTPClient
import ICalendar
import Metrics
import Testing

/// A busy block written into each real server as the CalDAV provider will write it, and read
/// back: created only where none is (`If-None-Match: *`), changed and removed only while its
/// ETag holds (`If-Match`).
@Suite struct CalDAVMirrorWriteTests {
    @Test(arguments: CalDAVServerKind.allCases)
    func aMirrorIsCreatedOnceChangedAndRemovedOnlyUnderItsETag(kind: CalDAVServerKind) throws {
        let server = try kind.start()
        defer { server.stop() }
        let client = CalDAVDiscoveryTests.client(server.url)
        let home = try CalDAVDiscovery(client: client).calendarHome(from: server.url)
        try CalDAVDiscoveryTests.make(in: home, "personal/", components: ["VEVENT"], displayName: "Personal", color: "#FF0000", log: server.log)
        let collection = home + "personal/"
        var mirror = MirrorObject.Mirror(
            id: "k3v9q2mirror0000000000000a", summary: "Busy",
            start: .dateTime(CivilTime.instant(fromRFC3339: "2026-03-02T09:30:00+01:00")!, zone: "Europe/Berlin"),
            end: .dateTime(CivilTime.instant(fromRFC3339: "2026-03-02T10:00:00+01:00")!, zone: "Europe/Berlin"),
            recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=8"], source: "google:ada@example.com:standup")
        let url = collection + MirrorObject.resourceName(of: mirror.id)
        func put(_ headers: [HTTPHeader]) throws -> HTTPResponse {
            try client.send(
                "PUT", url, headers: headers, body: Data(MirrorObject.calendarObject(mirror, stamp: Date())),
                contentType: "text/calendar; charset=utf-8")
        }
        #expect(try put([HTTPHeader("If-None-Match", "*")]).status == 201, "\(server.log())")
        #expect(try put([HTTPHeader("If-None-Match", "*")]).status == 412, "a second create finds the first")

        let reader = CalDAVCollectionClient(client: client)
        var stored = try #require(try reader.objects([url], in: collection).first)
        var zones = ICalZones([])
        var event = try #require(try ICalEvent.events(in: try ICalParser.parse(stored.data), zones: &zones).first)
        #expect(event.uid == MirrorObject.uid(of: mirror.id) && event.classification == "PRIVATE" && !event.transparent)
        #expect(event.extensions[MirrorObject.markProperty] == mirror.source && event.rules.count == 1)
        #expect(event.start.instant(floatingZone: TimeZone(identifier: "UTC")!) == CivilTime.instant(fromRFC3339: "2026-03-02T08:30:00Z"))

        mirror.summary = "Busy (moved)"
        mirror.sequence += 1
        #expect(try put([HTTPHeader("If-Match", "\"not-the-etag\"")]).status == 412, "a stale ETag changes nothing")
        let etag = try #require(stored.etag)
        #expect([200, 201, 204].contains(try put([HTTPHeader("If-Match", etag)]).status))
        stored = try #require(try reader.objects([url], in: collection).first)
        event = try #require(try ICalEvent.events(in: try ICalParser.parse(stored.data), zones: &zones).first)
        #expect(event.summary == "Busy (moved)" && stored.etag != etag)

        #expect(try client.send("DELETE", url, headers: [HTTPHeader("If-Match", etag)]).status == 412, "the old ETag deletes nothing")
        #expect([200, 204].contains(try client.send("DELETE", url, headers: [HTTPHeader("If-Match", stored.etag ?? "")]).status))
        #expect(try reader.objects([url], in: collection).isEmpty)
    }
}
