import Accounts
import BenchSupport
import CalendarProviders
import CalendarSync
import Crypto
import Foundation
import Google
import HTTPClient
import JobQueue
// The sync benchmark: not a test. Prints figures and their ratio to a reference measured in
// the same run.
//
//   scripts/bench-sync [--events N]
//
// Against the google-emulator executable (its own process, so this process's memory is the
// sync's alone): the initial sync of one calendar with N events (default 10,000), then an
// incremental sync after 10 changes, then a sync with no change. Reported: API calls (the
// minimum for the initial sync is ceil(N/2500) list calls), wall time, events stored per
// second, and peak memory. Reference: the same pages stored straight from memory through the
// same statement (the database's limit for this work), and a run of one page (2,500 events)
// first, to show whether memory grows with the calendar.
import Jobs
import LocalCopy
import Metrics
import Postgres

let adminURL = argument("--url") ?? ""
let emulatorURL = argument("--emulator") ?? ""
guard !adminURL.isEmpty, !emulatorURL.isEmpty else {
    FileHandle.standardError.write(Data("use scripts/bench-sync (it starts PostgreSQL and the emulator)\n".utf8))
    exit(2)
}
let eventCount = option("--events", 10_000)

let admin = EmulatorAdmin(emulatorURL)

func apiCalls() throws -> Int {
    let stats = try JSONSerialization.jsonObject(with: try admin("GET", "/stats")) as? [String: Any]
    // Calendar API calls only (routes "users/..." and "calendars/..."), not the token endpoint.
    return (stats?["requests"] as? [[String: Any]] ?? []).filter { row in
        let route = row["route"] as? String ?? ""
        return route.hasPrefix("users/") || route.hasPrefix("calendars/")
    }.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
}

func event(_ index: Int, prefix: String) -> [String: Any] {
    let start = Date(timeIntervalSince1970: 1_795_000_000 + Double(index) * 3600)
    let formatter = ISO8601DateFormatter()
    return [
        "id": "\(prefix)\(String(format: "%07d", index))", "summary": "Event \(index)", "location": "Room \(index % 40)",
        "description": String(repeating: "Agenda item. ", count: 8),
        "start": ["dateTime": formatter.string(from: start), "timeZone": "Europe/Berlin"],
        "end": ["dateTime": formatter.string(from: start.addingTimeInterval(1800)), "timeZone": "Europe/Berlin"],
    ]
}

struct Run {
    var initialSeconds = 0.0
    var initialCalls = 0
    var incrementalSeconds = 0.0
    var incrementalCalls = 0
    var unchangedCalls = 0
    var peak = 0.0
}

func syncRun(events: Int, account: String, database: String) throws -> Run {
    let admin0 = try PostgresConnection.connect(adminURL)
    try admin0.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
    try admin0.execute("CREATE DATABASE \(database)")
    let url = adminURL + " dbname=\(database)"
    let db = try PostgresConnection.connect(url)
    try CalworkerSchema.migrator.migrate(on: db)
    let calendar = account
    // Seeded in chunks, so building the seed does not raise this process's peak memory.
    for start in stride(from: 0, to: events, by: 500) {
        try admin(
            "POST", "/seed",
            [
                "accounts": [
                    [
                        "email": account, "refresh_token": "rt-\(account)",
                        "calendars": [
                            ["id": calendar, "primary": true, "events": (start..<min(events, start + 500)).map { event($0, prefix: "ev") }]
                        ],
                    ]
                ]
            ])
    }
    let cipher = TokenCipher(current: try TokenCipher.Key(base64: Data(repeating: 7, count: 32).base64EncodedString()))
    let store = AccountStore(cipher: cipher)
    let id = try store.add(email: account, owner: nil, refreshToken: "rt-\(account)", on: db).id
    let settings = GoogleSettings(
        apiURL: emulatorURL + "/calendar/v3", tokenURL: emulatorURL + "/token",
        clientID: "calworker-test-client", clientSecret: "calworker-test-secret", requestsPerMinute: 6000)
    func sync() throws {
        let provider = try GoogleProviders(settings: settings, cipher: cipher, metrics: MetricsRegistry())
            .provider(forAccount: id, session: try db.openSibling(), shouldAbort: { false })
        _ = try AccountSync(accountID: id, provider: provider, db: db).run()
    }
    var run = Run()
    try admin("DELETE", "/stats")
    run.initialSeconds = try seconds { try sync() }
    run.initialCalls = try apiCalls()
    for index in 0..<10 {
        try admin("PATCH", "/calendars/\(calendar)/events/ev\(String(format: "%07d", index * 97))", ["summary": "changed"])
    }
    try admin("DELETE", "/stats")
    run.incrementalSeconds = try seconds { try sync() }
    run.incrementalCalls = try apiCalls()
    try admin("DELETE", "/stats")
    try sync()
    run.unchangedCalls = try apiCalls()
    run.peak = peakMiB()
    let stored = try db.query("SELECT count(*) FROM calworker.events")[0].decode(Int.self, at: 0)
    guard stored == events else { throw BenchError(description: "stored \(stored) events, expected \(events)") }
    return run
}

/// The same pages stored from memory through the same statement: no HTTP, no JSON from the
/// network; the limit the database sets for this work.
func storeOnly(events: Int, database: String) throws -> Double {
    let url = adminURL + " dbname=\(database)"
    let db = try PostgresConnection.connect(url)
    try db.execute("TRUNCATE calworker.events")
    let formatter = JSONSerialization.self
    var pages: [ChangePage] = []
    for start in stride(from: 0, to: events, by: 2500) {
        let items = (start..<min(events, start + 2500)).map { event($0, prefix: "ev") }
        var page: [String: Any] = ["kind": "calendar#events", "items": items]
        if start + 2500 >= events { page["nextSyncToken"] = "x" } else { page["nextPageToken"] = "p" }
        let parsed = try EventsPage.parse(try formatter.data(withJSONObject: page))
        pages.append(
            ChangePage(
                events: EventBatch(json: parsed.json, layout: .google), nextPageToken: parsed.nextPageToken, nextCursor: parsed.nextSyncToken,
                isEmpty: parsed.isEmpty))
    }
    let accountID = try db.query("SELECT id FROM calworker.accounts LIMIT 1")[0].decode(Int64.self, at: 0)
    let calendarID = try db.query("SELECT calendar_id FROM calworker.calendars LIMIT 1")[0].decode(String.self, at: 0)
    let store = EventStore()
    return Double(events)
        / (try seconds {
            for page in pages {
                try store.applyPage(accountID: accountID, calendarID: calendarID, page: page, generation: 1, fullSync: false, on: db)
            }
        })
}

print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; emulator in its own process; PostgreSQL durable (fsync on)")
// One full page first: if pages are streamed, syncing four times as many costs no more memory.
let small = try syncRun(events: 2500, account: "small@example.com", database: "cw_bench_sync_small")
let big = try syncRun(events: eventCount, account: "big@example.com", database: "cw_bench_sync")
let limit = try storeOnly(events: eventCount, database: "cw_bench_sync")
let rate = Double(eventCount) / big.initialSeconds
print(
    "initial sync, \(eventCount) events: \(big.initialCalls) API calls (minimum \(Int((Double(eventCount) / 2500).rounded(.up))) list calls + 1 calendar list), "
        + "\(fmt(big.initialSeconds, 2)) s, \(fmt(rate)) events/s stored")
print("store-only limit (same pages, same statement, from memory): \(fmt(limit)) events/s; sync / limit = \(fmt(rate / limit, 2))")
print("incremental sync after 10 changes: \(big.incrementalCalls) API calls, \(fmt(big.incrementalSeconds * 1000, 1)) ms")
print("sync with no change: \(big.unchangedCalls) API calls (calendar list + events)")
print("peak memory (this process): \(fmt(small.peak, 1)) MiB after syncing 2500 events, \(fmt(big.peak, 1)) MiB after \(eventCount) more")
