import BenchSupport
import Feeds
import Foundation
import ICalendar
import JobQueue
import Jobs
import LocalCopy
import Media
import Metrics
import Postgres

// The iCalendar feed benchmark (not a test): N events (timed in three zones, all-day, weekly
// series with a cancelled and a moved occurrence) as Google's JSON, one per line, in a file; calworker's
// writer and the Python `icalendar` package each read that file and write the feed, in a
// process of their own under GNU time, so both figures include starting up and reading the
// JSON. Prints the median time and the peak memory of each over the rounds, and their ratios.
//   calworker-bench-ical [--events N] [--rounds N] [--url ADMIN_CONNINFO [--database-events N]]
//   calworker-bench-ical --render EVENTS.jsonl OUT.ics   (one rendering, what the driver times)

if let input = argument("--render") {
    guard let output = CommandLine.arguments.last, output != input else { fail("--render EVENTS.jsonl OUT.ics") }
    do {
        // One event per line (JSON Lines): read and dropped one at a time, as the job reads rows.
        let data = try Data(contentsOf: URL(fileURLWithPath: input))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        let range = CivilTime.instant(fromRFC3339: "2026-01-01T00:00:00Z")!...CivilTime.instant(fromRFC3339: "2028-01-01T00:00:00Z")!
        let writer = FeedWriter(name: "bench", detail: .full(attendees: false), range: range) { try handle.write(contentsOf: $0) }
        try writer.begin()
        // Series arrive together (the job reads them ordered by series), so one group at a time.
        var group: [FeedEvent] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let event = FeedEvent(googleJSON: Data(line)) else { continue }
            if let last = group.last, (last.recurringEventID ?? last.id) != (event.recurringEventID ?? event.id) {
                try writer.write(series: group)
                group.removeAll(keepingCapacity: true)
            }
            group.append(event)
        }
        try writer.write(series: group)
        try writer.finish()
        try handle.close()
    } catch {
        fail("render: \(error)")
    }
    exit(0)
}

// Child modes of the database part: publish one feed, or read its rows and nothing more.
if let url = argument("--publish") {
    guard let root = argument("--root") else { fail("--publish needs --root") }
    do {
        let db = try PostgresConnection.connect(url)
        guard let feed = try FeedStore().feed(id: Int64(option("--feed", 1)), on: db) else { fail("no feed") }
        let publisher = FeedPublisher(
            stores: MediaStores(settings: MediaSettings(mediaRoot: root), metrics: MetricsRegistry()),
            target: try FeedPublisher.target("file://\(root)/feeds/", mediaRoot: root), spoolDirectory: root)
        _ = try publisher.publish(feed, force: true, on: db)
        exit(0)
    } catch {
        fail("publish: \(error)")
    }
}
if let url = argument("--read") {
    do {
        let db = try PostgresConnection.connect(url)
        guard let feed = try FeedStore().feed(id: Int64(option("--feed", 1)), on: db) else { fail("no feed") }
        try db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try EventStore().openFeedCursor(named: .feedRows, try FeedRenderer.source(feed, on: db), on: db)
        var bytes = 0
        while true {
            let rows = try db.query("FETCH \(FeedRenderer.batch) FROM feed_rows")
            if rows.isEmpty { break }
            for row in rows { bytes += row.text(3)?.utf8.count ?? 0 }
        }
        try db.execute("COMMIT")
        print(bytes)
        exit(0)
    } catch {
        fail("read: \(error)")
    }
}

let count = option("--events", 10_000)
let rounds = max(1, option("--rounds", 5))
let databaseEvents = option("--database-events", 100_000)
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-bench-ical-\(UUID().uuidString)").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }

/// The events, as Google sends them: every fifth a weekly series with a moved and a cancelled occurrence.
func events(_ count: Int) -> [[String: Any]] {
    let zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo"]
    var list: [[String: Any]] = []
    var index = 0
    let base = CivilTime.days(year: 2026, month: 1, day: 5)
    while list.count < count {
        let day = CivilTime.date(days: base + index % 700)
        let date = String(format: "%04d-%02d-%02d", day.year, day.month, day.day)
        let zone = zones[index % zones.count]
        let title = "Event \(index): planning, review; notes \\ follow-up 🗓️"
        let common: [String: Any] = [
            "iCalUID": "e\(index)@bench", "summary": title, "description": String(repeating: "Agenda line. ", count: 12),
            "location": "Room \(index % 40), Building B", "updated": "2026-01-01T10:00:00.000Z",
            "created": "2025-12-01T10:00:00.000Z", "sequence": index % 3, "status": "confirmed",
        ]
        if index % 7 == 6 {
            list.append(common.merging(["id": "e\(index)", "start": ["date": date], "end": ["date": date]]) { $1 })
        } else if index % 5 == 4 {
            let start = "\(date)T09:30:00"
            let end = "\(date)T10:00:00"
            list.append(
                common.merging([
                    "id": "e\(index)", "start": ["dateTime": start + "Z", "timeZone": zone],
                    "end": ["dateTime": end + "Z", "timeZone": zone], "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=20"],
                ]) { $1 })
            let later = CivilTime.date(days: base + index % 700 + 14)
            let laterDate = String(format: "%04d-%02d-%02d", later.year, later.month, later.day)
            list.append(
                common.merging([
                    "id": "e\(index)_moved", "recurringEventId": "e\(index)",
                    "originalStartTime": ["dateTime": "\(laterDate)T09:30:00Z", "timeZone": zone],
                    "start": ["dateTime": "\(laterDate)T15:00:00Z", "timeZone": zone],
                    "end": ["dateTime": "\(laterDate)T15:30:00Z", "timeZone": zone],
                ]) { $1 })
            let cancelled = CivilTime.date(days: base + index % 700 + 21)
            list.append([
                "id": "e\(index)_cancelled", "iCalUID": "e\(index)@bench", "status": "cancelled", "recurringEventId": "e\(index)",
                "originalStartTime": [
                    "dateTime": String(format: "%04d-%02d-%02dT09:30:00Z", cancelled.year, cancelled.month, cancelled.day),
                    "timeZone": zone,
                ],
            ])
        } else {
            list.append(
                common.merging([
                    "id": "e\(index)", "start": ["dateTime": "\(date)T13:00:00Z", "timeZone": zone],
                    "end": ["dateTime": "\(date)T14:00:00Z", "timeZone": zone],
                ]) { $1 })
        }
        index += 1
    }
    return Array(list.prefix(count))
}

let python = """
    import datetime, icalendar, json, sys, zoneinfo
    def time(value):
        if "date" in value:
            return datetime.date.fromisoformat(value["date"])
        instant = datetime.datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00"))
        return instant.astimezone(zoneinfo.ZoneInfo(value["timeZone"])) if "timeZone" in value else instant
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//bench//python icalendar//EN")
    calendar.add("version", "2.0")
    series = {}
    for item in map(json.loads, open(sys.argv[1])):
        if item.get("status") == "cancelled":
            series[item["recurringEventId"]].add("exdate", time(item["originalStartTime"]))
            continue
        event = icalendar.Event()
        event.add("uid", item["iCalUID"])
        event.add("dtstamp", datetime.datetime.fromisoformat(item["updated"].replace("Z", "+00:00")))
        if "originalStartTime" in item:
            event.add("recurrence-id", time(item["originalStartTime"]))
        event.add("dtstart", time(item["start"]))
        event.add("dtend", time(item["end"]))
        event.add("sequence", item["sequence"])
        event.add("summary", item["summary"])
        event.add("location", item["location"])
        event.add("description", item["description"])
        for line in item.get("recurrence", []):
            event.add("rrule", icalendar.vRecur.from_ical(line.split(":", 1)[1]))
        if "recurrence" in item:
            series[item["id"]] = event
        calendar.add_component(event)
    calendar.add_missing_timezones()
    open(sys.argv[2], "wb").write(calendar.to_ical())
    """

do {
    let eventsPath = folder + "/events.jsonl"
    let scriptPath = folder + "/render.py"
    var lines = Data()
    for event in events(count) { lines += try JSONSerialization.data(withJSONObject: event) + Data([10]) }
    try lines.write(to: URL(fileURLWithPath: eventsPath))
    try python.write(toFile: scriptPath, atomically: true, encoding: .utf8)

    /// Runs `command` under GNU time: (seconds, peak resident MiB).
    func measured(_ command: [String]) throws -> (seconds: Double, peakMiB: Double) {
        let report = folder + "/time.txt"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%e %M", "-o", report] + command
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError(description: "\(command.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        let fields = try String(contentsOfFile: report, encoding: .utf8).split(whereSeparator: \.isWhitespace).suffix(2).compactMap { Double($0) }
        guard fields.count == 2 else { throw BenchError(description: "cannot read GNU time's report") }
        return (fields[0], fields[1] / 1024)
    }
    let ours = folder + "/calworker.ics"
    let theirs = folder + "/python.ics"
    _ = FileManager.default.createFile(atPath: ours, contents: nil)
    var swift: [(seconds: Double, peakMiB: Double)] = []
    var reference: [(seconds: Double, peakMiB: Double)] = []
    for round in 1...rounds {
        swift.append(try measured([CommandLine.arguments[0], "--render", eventsPath, ours]))
        reference.append(try measured(["/usr/bin/env", "python3", scriptPath, eventsPath, theirs]))
        print(
            "round \(round): calworker \(fmt(swift.last!.seconds, 2)) s, \(fmt(swift.last!.peakMiB, 1)) MiB; "
                + "python icalendar \(fmt(reference.last!.seconds, 2)) s, \(fmt(reference.last!.peakMiB, 1)) MiB")
    }
    let ourBytes = (try FileManager.default.attributesOfItem(atPath: ours)[.size] as? Int) ?? 0
    let theirBytes = (try FileManager.default.attributesOfItem(atPath: theirs)[.size] as? Int) ?? 0
    let time = (median(swift.map(\.seconds)), median(reference.map(\.seconds)))
    let memory = (median(swift.map(\.peakMiB)), median(reference.map(\.peakMiB)))
    print("\(count) events (as Google JSON, \(rounds) rounds, medians; each in its own process, start-up and JSON reading included):")
    print("  calworker FeedWriter: \(fmt(time.0, 3)) s, peak \(fmt(memory.0, 1)) MiB, \(ourBytes) bytes")
    print("  python icalendar:     \(fmt(time.1, 3)) s, peak \(fmt(memory.1, 1)) MiB, \(theirBytes) bytes")
    print("  ratio (calworker / python): time \(fmt(time.0 / time.1, 3)), peak memory \(fmt(memory.0 / memory.1, 3))")

    // The job's path: a feed of N events published from PostgreSQL (cursor, render, hash, file
    // store), against reading the same rows through the same cursor and nothing more.
    if let admin = argument("--url") {
        let name = "calworker_bench_ical"
        let server = try PostgresConnection.connect(admin)
        try server.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try server.execute("CREATE DATABASE \(name)")
        let url = admin + " dbname=\(name)"
        let db = try PostgresConnection.connect(url)
        try CalworkerSchema.migrator.migrate(on: db)
        try db.execute("INSERT INTO calworker.accounts (email, owner, key_id, refresh_token) VALUES ('ada@example.com', 'bench', 'k', '\\x00')")
        try db.execute(
            "INSERT INTO calworker.calendars (account_id, calendar_id, access_role, sync_token) VALUES (1, 'ada@example.com', 'owner', 's')")
        let seeded = try seconds {
            _ = try db.execute(
                """
                INSERT INTO calworker.events (account_id, calendar_id, event_id, status, summary, start_time, end_time, raw)
                SELECT 1, 'ada@example.com', 'e' || g, 'confirmed', 'Event ' || g, t, t + interval '1 hour',
                       jsonb_build_object('id', 'e' || g, 'iCalUID', 'e' || g || '@bench', 'summary', 'Event ' || g || ': planning, review; notes',
                                          'description', repeat('Agenda line. ', 12), 'location', 'Room ' || g % 40, 'updated', '2026-01-01T10:00:00.000Z',
                                          'start', jsonb_build_object('dateTime', to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'timeZone', 'Europe/Berlin'),
                                          'end', jsonb_build_object('dateTime', to_char((t + interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                                                    'timeZone', 'Europe/Berlin'))
                  FROM generate_series(1, $1) AS g, LATERAL (SELECT timestamptz '2026-01-05 13:00Z' + (g % 700) * interval '1 day' AS t) AS x
                """, [databaseEvents])
            _ = try db.execute("ANALYZE")
        }
        let feed = try FeedStore().create(owner: "bench", calendar: nil, detail: "full", attendees: false, name: nil, on: db)
        let root = folder + "/media"
        try FileManager.default.createDirectory(atPath: root + "/feeds", withIntermediateDirectories: true)
        var published: [(seconds: Double, peakMiB: Double)] = []
        var read: [(seconds: Double, peakMiB: Double)] = []
        for round in 1...rounds {
            published.append(try measured([CommandLine.arguments[0], "--publish", url, "--feed", String(feed.id), "--root", root]))
            read.append(try measured([CommandLine.arguments[0], "--read", url, "--feed", String(feed.id)]))
            print(
                "round \(round): publish \(fmt(published.last!.seconds, 2)) s, \(fmt(published.last!.peakMiB, 1)) MiB; "
                    + "rows only \(fmt(read.last!.seconds, 2)) s, \(fmt(read.last!.peakMiB, 1)) MiB")
        }
        let object = (try FileManager.default.contentsOfDirectory(atPath: root + "/feeds")).first ?? "?"
        let size = (try FileManager.default.attributesOfItem(atPath: root + "/feeds/" + object)[.size] as? Int) ?? 0
        let p = (median(published.map(\.seconds)), median(published.map(\.peakMiB)))
        let r = (median(read.map(\.seconds)), median(read.map(\.peakMiB)))
        print("a feed of \(databaseEvents) events from PostgreSQL (seeded in \(fmt(seeded, 1)) s; \(rounds) rounds, medians; own process each):")
        print("  ics_export's publish (cursor, render, SHA-256, file store): \(fmt(p.0, 3)) s, peak \(fmt(p.1, 1)) MiB, \(size) bytes")
        print("  reading the same rows through the same cursor, nothing more: \(fmt(r.0, 3)) s, peak \(fmt(r.1, 1)) MiB")
        print("  ratio (publish / rows only): time \(fmt(p.0 / r.0, 3)), peak memory \(fmt(p.1 / r.1, 3))")
        db.close()
        try server.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
} catch {
    fail("\(error)")
}
