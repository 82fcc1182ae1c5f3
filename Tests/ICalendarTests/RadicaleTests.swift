import Foundation
import HTTPClient
import ICalendar
import Metrics
import TestSupport
import Testing

/// A real CalDAV server takes a feed whole: Debian's Radicale accepts it by PUT (its calendar
/// import), keeps every event, series and exception, and hands back the same titles.
@Suite struct RadicaleTests {
    @Test func radicaleImportsAFeedWithHostileTitlesAndASeriesAcrossSummerTime() throws {
        func instant(_ text: String) -> Date { CivilTime.instant(fromRFC3339: text)! }
        let titles = [
            "Line one\nline two", "a;b,c\\d", String(repeating: "long title ", count: 60), "🗓️ Offsite 🏔️ 日本 ✓",
            "BEGIN:VEVENT\r\nSUMMARY:injected", "quote \" and colon: here",
        ]
        var events = titles.enumerated().map { index, title in
            FeedEvent(
                id: "h\(index)", summary: title, description: "about: " + title, location: "room; \(index)",
                start: .dateTime(instant("2026-12-0\(index + 1)T09:00:00Z"), zone: "Europe/Berlin"),
                end: .dateTime(instant("2026-12-0\(index + 1)T10:00:00Z"), zone: "Europe/Berlin"), updated: instant("2026-11-01T00:00:00Z"))
        }
        events.append(
            FeedEvent(
                id: "standup", uid: "standup@test", summary: "Standup",
                start: .dateTime(instant("2026-03-02T09:30:00+01:00"), zone: "Europe/Berlin"),
                end: .dateTime(instant("2026-03-02T09:45:00+01:00"), zone: "Europe/Berlin"),
                recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=12"]))
        events.append(
            FeedEvent(
                id: "standup_1", uid: "standup@test", summary: "Standup (moved)",
                start: .dateTime(instant("2026-04-06T14:00:00+02:00"), zone: "Europe/Berlin"),
                end: .dateTime(instant("2026-04-06T14:15:00+02:00"), zone: "Europe/Berlin"),
                recurringEventID: "standup", originalStart: .dateTime(instant("2026-04-06T09:30:00+02:00"), zone: "Europe/Berlin")))
        events.append(
            FeedEvent(
                id: "standup_2", uid: "standup@test", status: "cancelled",
                start: .dateTime(instant("2026-04-13T09:30:00+02:00"), zone: "Europe/Berlin"), recurringEventID: "standup",
                originalStart: .dateTime(instant("2026-04-13T09:30:00+02:00"), zone: "Europe/Berlin")))
        events.append(FeedEvent(id: "holiday", summary: "Holiday", start: .date("20261224"), end: .date("20261227")))
        let year = instant("2026-01-01T00:00:00Z")...instant("2027-01-01T00:00:00Z")
        let feed = try FeedTestSupport.feed(events, range: year)

        let radicale = try RadicaleServer()
        defer { radicale.stop() }
        let http = HTTPClient(service: "caldav", metrics: MetricsRegistry())
        let auth = HTTPHeader("Authorization", "Basic " + Data("cw:any".utf8).base64EncodedString())
        let collection = radicale.url + "/cw/feed/"
        let put = try http.send(
            HTTPRequest(
                method: "PUT", url: collection, headers: [auth, HTTPHeader("Content-Type", "text/calendar; charset=utf-8")],
                body: Data(feed)))
        #expect(put.status == 201, "PUT: \(put.status) \(String(decoding: put.body, as: UTF8.self)) \(radicale.log.suffix(1000))")
        let got = try http.send(HTTPRequest(url: collection, headers: [auth]))
        #expect(got.status == 200)
        let stored = String(decoding: got.body, as: UTF8.self)
        // Whole lines only: the injected title's text holds "BEGIN:VEVENT" too, escaped inside a value.
        let lines = stored.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n")
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == titles.count + 3, "each single, the series, its moved occurrence, the holiday")
        #expect(!lines.contains { $0.hasPrefix("SUMMARY:injected") }, "the injection stayed inside its value")

        // What Radicale kept, read by Python's parser: every title as written, the series with its exception and EXDATE.
        let output = try FeedTestSupport.python(
            """
            import icalendar, json, sys
            calendar = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            print(json.dumps([{"uid": str(e["UID"]), "summary": str(e.get("SUMMARY", "")), "recurrence_id": "RECURRENCE-ID" in e,
                               "exdates": len(e.get("EXDATE").dts) if isinstance(e.get("EXDATE"), icalendar.prop.vDDDLists) else 0}
                              for e in calendar.walk("VEVENT")]))
            """, feed: Array(got.body))
        let kept = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] ?? []
        for (index, title) in titles.enumerated() {
            let expected = title.replacingOccurrences(of: "\r\n", with: "\n")
            #expect(kept.first { $0["uid"] as? String == "h\(index)@google.com" }?["summary"] as? String == expected, "title \(index)")
        }
        let series = kept.filter { $0["uid"] as? String == "standup@test" }
        #expect(
            series.count == 2 && series.contains { $0["recurrence_id"] as? Bool == true }
                && series.contains { $0["exdates"] as? Int == 1 }, "\(series)")
    }
}
