import Foundation
import ICalendar
import Testing

@Suite struct CivilTimeTests {
    @Test func daysRoundTripAndAgreeWithFoundation() {
        for days in stride(from: -800_000, through: 2_900_000, by: 997) {
            let date = CivilTime.date(days: days)
            #expect(CivilTime.days(year: date.year, month: date.month, day: date.day) == days)
        }
        #expect(CivilTime.days(year: 1970, month: 1, day: 1) == 0)
        #expect(
            CivilTime.days(year: 2026, month: 12, day: 4) == Int(ISO8601DateFormatter().date(from: "2026-12-04T00:00:00Z")!.timeIntervalSince1970)
                / 86_400)
        #expect(CivilTime.date(days: CivilTime.days(year: 2028, month: 2, day: 29)) == (2028, 2, 29))
    }

    @Test func rfc3339TimesAndOffsetsAreRead() {
        let reference = ISO8601DateFormatter().date(from: "2026-12-05T08:30:00Z")!
        #expect(CivilTime.instant(fromRFC3339: "2026-12-05T09:30:00+01:00") == reference)
        #expect(CivilTime.instant(fromRFC3339: "2026-12-05T03:00:00-05:30") == reference)
        #expect(CivilTime.instant(fromRFC3339: "2026-12-05T08:30:00Z") == reference)
        #expect(CivilTime.instant(fromRFC3339: "2026-12-05T08:30:00.250Z") == reference.addingTimeInterval(0.25))
        #expect(CivilTime.utc(reference) == "20261205T083000Z")
        #expect(CivilTime.local(reference, in: TimeZone(identifier: "Europe/Berlin")!) == "20261205T093000")
        #expect(CivilTime.local(reference, in: TimeZone(identifier: "America/St_Johns")!) == "20261205T050000")
    }

    @Test(arguments: [
        "2026-02-30T09:00:00Z", "2026-12-05T24:00:00Z", "0000-01-01T00:00:00Z", "2026-12-05 09:00:00Z",
        "2026-12-05T09:00:00", "2026-12-05T09:00:00+1:00", "2026-12-05T09:00:00.Z", "2026-12-05T09:00:00Zjunk",
        "", "2026-12-05", "٢٠٢٦-12-05T09:00:00Z", "2026-12-05T09:00:00.1234567890Z",
    ])
    func impossibleTimesAreNotTimes(text: String) {
        #expect(CivilTime.instant(fromRFC3339: text) == nil)
    }

    @Test func datesAreCheckedToo() {
        #expect(CivilTime.basicDate(fromISO: "2026-12-05") == "20261205")
        for text in ["2026-13-01", "2026-02-29", "0000-01-01", "2026-1-05", "20261205", "2026-12-5x"] {
            #expect(CivilTime.basicDate(fromISO: text) == nil, "\(text)")
        }
    }
}
