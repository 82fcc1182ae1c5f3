import BenchSupport
import Foundation
import ICalendar

// The iCalendar reader benchmark (not a test): a calendar of N events as CalDAV servers hold
// them (timed in three zones with their VTIMEZONEs, all-day, weekly series with an excepted and
// a moved occurrence), read and expanded into a year's occurrences by calworker's parser and
// expander, and by Python's `icalendar` and `recurring-ical-events` on the same file, each timed
// inside its own process (start-up excluded). Prints the median of the rounds, the
// occurrences each found (they must agree), and the ratio.
//   calworker-bench-icalread [--events N] [--rounds N]

let count = option("--events", 10_000)
let rounds = option("--rounds", 3)
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-icalread-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let file = folder.appendingPathComponent("calendar.ics")

let zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo"]
var events: [FeedEvent] = []
let base = CivilTime.instant(fromRFC3339: "2026-01-05T09:00:00Z")!
for index in 0..<count {
    let start = base.addingTimeInterval(Double(index % 360) * 86_400 + Double(index % 10) * 1800)
    let zone = zones[index % zones.count]
    switch index % 10 {
    case 0:
        let id = "series\(index)"
        events.append(
            FeedEvent(
                id: id, summary: "Weekly \(index)", start: .dateTime(start, zone: zone), end: .dateTime(start.addingTimeInterval(1800), zone: zone),
                recurrence: ["RRULE:FREQ=WEEKLY;COUNT=20"]))
        let moved = start.addingTimeInterval(7 * 86_400)
        events.append(
            FeedEvent(
                id: id + "_1", summary: "Weekly \(index), moved", start: .dateTime(moved.addingTimeInterval(3600), zone: zone),
                end: .dateTime(moved.addingTimeInterval(5400), zone: zone), recurringEventID: id, originalStart: .dateTime(moved, zone: zone)))
    case 1:
        let day = CivilTime.utc(start).prefix(8)
        events.append(FeedEvent(id: "day\(index)", summary: "Away \(index)", start: .date(String(day))))
    default:
        events.append(
            FeedEvent(
                id: "e\(index)", summary: "Meeting \(index); room \(index % 7)", start: .dateTime(start, zone: zone),
                end: .dateTime(start.addingTimeInterval(3600), zone: zone)))
    }
}
let year = CivilTime.instant(fromRFC3339: "2026-01-01T00:00:00Z")!...CivilTime.instant(fromRFC3339: "2027-01-01T00:00:00Z")!
var bytes: [UInt8] = []
let writer = FeedWriter(name: "bench", detail: .full(attendees: false), range: year) { bytes += $0 }
try writer.begin()
try writer.write(events: events)
try writer.finish()
try Data(bytes).write(to: file)
print("calendar: \(count) events, \(bytes.count / 1024) KiB")

let window = year.lowerBound..<year.upperBound
let utc = TimeZone(identifier: "UTC")!
var ours: [Double] = []
var ourOccurrences = 0
for _ in 0..<rounds {
    let start = ContinuousClock.now
    let text = try Data(contentsOf: file)
    let components = try ICalParser.parse(
        Array(text),
        limits: {
            var limits = ICalParser.Limits()
            limits.maxBytes = 1 << 30
            limits.maxItems = 10_000_000
            return limits
        }())
    var known = ICalZones(components)
    let parsed = try ICalEvent.events(in: components, zones: &known)
    var found = 0
    for (_, series) in Dictionary(grouping: parsed, by: \.uid) {
        found += try ICalExpansion.occurrences(of: series, in: window, floatingZone: utc).count
    }
    ours.append(seconds(since: start))
    ourOccurrences = found
}

let script = folder.appendingPathComponent("read.py")
try """
import datetime, icalendar, recurring_ical_events, sys, time
start = time.perf_counter()
calendar = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
found = len(list(recurring_ical_events.of(calendar).between(
    datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc), datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc))))
print(time.perf_counter() - start, found)
""".write(to: script, atomically: true, encoding: .utf8)
var theirs: [Double] = []
var theirOccurrences = 0
for _ in 0..<rounds {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path, file.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let parts = output.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    guard process.terminationStatus == 0, parts.count == 2, let time = Double(parts[0]), let found = Int(parts[1]) else {
        fail("python3 with icalendar and recurring-ical-events failed: \(output)")
    }
    theirs.append(time)
    theirOccurrences = found
}
print(
    "calworker (parse, zones, expand a year): median \(fmt(median(ours) * 1000)) ms, \(ourOccurrences) occurrences, \(fmt(Double(count) / median(ours))) events/s"
)
print("Python icalendar + recurring-ical-events (same file, same year): median \(fmt(median(theirs) * 1000)) ms, \(theirOccurrences) occurrences")
print("calworker / Python time = \(fmt(median(ours) / median(theirs), 3)) (\(fmt(median(theirs) / median(ours), 1))x faster)")
if ourOccurrences != theirOccurrences { fail("the occurrence counts differ: \(ourOccurrences) against \(theirOccurrences)") }
