// The push benchmark: not a test. Prints figures and their ratio to a reference measured in
// the same run.
//
//   scripts/bench-push [--edits N] [--accounts N]
//
// Against the google-emulator executable, which delivers real notifications over HTTP to a
// receiver and a long-running worker in this process (the same code a worker's --http-addr
// runs):
//  1. Latency from a user's edit in the emulator to the busy block written in the owner's
//     other calendar, over N edits (default 200), one at a time: p50, p90, p99, max. Reference:
//     the same sync and mirror step run directly, without notification or queue (the floor).
//  2. API calls per idle account per hour, push mode against poll mode: twelve five-minute
//     cron fires each, with the clock for the safety interval moved on five minutes per fire,
//     plus the channel renewals measured once and spread over a channel's life.
//  3. N accounts (default 2,000) with 3 calendars each, 1% of calendars changing a minute:
//     five minutes of work in each mode (300 changes, the polls and the renewals due in them),
//     as calls a minute against Google's 10,000 per project, and the accounts each mode
//     could serve within it.
import Accounts
import Basics
import BenchSupport
import CalendarSync
import Crypto
import Foundation
import Google
import HTTPClient
import HTTPServer
import JobArgs
import JobQueue
import Jobs
import Logging
import Metrics
import Postgres
import Push
import PushReceiver
import RequestBudgets
import Worker

/// Prints a line at once (a pipe would hold `print`'s output until exit), so progress shows.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let adminURL = argument("--url") ?? ""
let emulatorURL = argument("--emulator") ?? ""
guard !adminURL.isEmpty, !emulatorURL.isEmpty else {
    FileHandle.standardError.write(Data("use scripts/bench-push (it starts PostgreSQL and the emulator)\n".utf8))
    exit(2)
}
let editCount = option("--edits", 200)
let accountCount = option("--accounts", 2000)
let admin = EmulatorAdmin(emulatorURL)
let http = HTTPClient(service: "bench", metrics: MetricsRegistry())
let cipher = TokenCipher(current: try TokenCipher.Key(base64: Data(repeating: 7, count: 32).base64EncodedString()))

/// Calendar API calls answered so far (not the token endpoint), from the emulator's statistics.
func apiCalls() throws -> Int {
    let stats = try JSONSerialization.jsonObject(with: try admin("GET", "/stats")) as? [String: Any]
    return (stats?["requests"] as? [[String: Any]] ?? []).filter { row in
        let route = row["route"] as? String ?? ""
        return route.hasPrefix("users/") || route.hasPrefix("calendars/") || route.hasPrefix("channels/")
    }.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
}

func makeDatabase(_ name: String) throws -> String {
    let server = try PostgresConnection.connect(adminURL)
    try server.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    try server.execute("CREATE DATABASE \(name)")
    let url = adminURL + " dbname=\(name)"
    try CalworkerSchema.migrator.migrate(on: try PostgresConnection.connect(url))
    return url
}

func jobEnvironment(push: PushSettings?, database: String) -> JobEnvironment {
    var google = GoogleSettings(
        apiURL: emulatorURL + "/calendar/v3", tokenURL: emulatorURL + "/token", clientID: "calworker-test-client",
        clientSecret: "calworker-test-secret", requestsPerMinute: 6000)
    google.sharedBudgets = PostgresRequestBudgets(conninfo: database)
    // Counted here, not enforced: the figures say what each mode would ask of the project.
    google.projectRequestsPerMinute = 0
    var environment = JobEnvironment(google: google, tokenCipher: cipher)
    environment.push = push
    return environment
}

/// A receiver on loopback and a worker, both running until `stop`.
final class Service: Sendable {
    let server: HTTPServer
    let worker: Worker
    let done = DispatchSemaphore(value: 0)
    let address: String

    init(database: String, environment: (String) -> JobEnvironment) throws {
        let metrics = MetricsRegistry()
        let logger = Logger(level: .error, handler: NullLogHandler())
        let receiver = PushReceiver(
            path: "/push/google", pool: ConnectionPool(url: database, size: 4),
            coalesceDelay: PushSettings(address: "").coalesceDelay, metrics: metrics, logger: logger)
        var limits = HTTPServer.Limits()
        limits.receivePushNotifications()
        server = try HTTPServer(address: "127.0.0.1:0", limits: limits) { receiver.respond(to: $0) }
        server.start()
        address = "http://127.0.0.1:\(server.port)/push/google"
        var options = WorkerOptions()
        options.concurrency = 8
        worker = Worker(
            databaseURL: database, registry: JobKinds.registry(environment(address)), queue: JobQueue(), options: options,
            logger: logger, metrics: metrics)
        let worker = worker
        let done = done
        Thread {
            _ = try? worker.run()
            done.signal()
        }.start()
    }

    func stop() {
        worker.requestStop()
        done.wait()
        server.stop()
    }
}

/// Runs every due job to the end with a `--once` worker.
func drain(_ database: String, _ environment: JobEnvironment) throws {
    var options = WorkerOptions()
    options.once = true
    options.concurrency = 8
    _ = try Worker(
        databaseURL: database, registry: JobKinds.registry(environment), queue: JobQueue(), options: options,
        logger: Logger(level: .error, handler: NullLogHandler()), metrics: MetricsRegistry()
    ).run()
}

func waitUntil(timeout: Double = 600, _ condition: () throws -> Bool) throws {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if try condition() { return }
        Thread.sleep(forTimeInterval: 0.05)
    }
    fail("timed out waiting")
}

func count(_ db: PostgresConnection, _ sql: String) throws -> Int { try db.query(sql).first?.decode(Int.self, at: 0) ?? 0 }

func seedAccounts(_ emails: [String], calendars: Int) throws {
    for chunk in stride(from: 0, to: emails.count, by: 100) {
        let accounts = emails[chunk..<min(emails.count, chunk + 100)].map { email -> [String: Any] in
            [
                "email": email, "refresh_token": "rt-\(email)",
                "calendars": (0..<calendars).map { index -> [String: Any] in
                    index == 0 ? ["id": email, "primary": true] : ["id": "\(index).\(email)"]
                },
            ]
        }
        try admin("POST", "/seed", ["accounts": accounts])
    }
}

func event(_ title: String, at start: Date) -> [String: Any] {
    let iso = ISO8601DateFormatter()
    return ["summary": title, "start": ["dateTime": iso.string(from: start)], "end": ["dateTime": iso.string(from: start.addingTimeInterval(1800))]]
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

// MARK: 1. Latency

/// Reads a calendar's changes through the API, as the user's other device would see them.
final class CalendarWatcher {
    let calendarID: String
    var syncToken: String?
    let token: String

    init(account: String, calendarID: String) throws {
        self.calendarID = calendarID
        let answer = try JSONSerialization.jsonObject(with: try admin("POST", "/accounts/\(account)/access-token")) as? [String: Any]
        token = answer?["access_token"] as? String ?? ""
        _ = try changes()
    }

    /// Live busy blocks among the changes since the last call.
    func changes() throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var page: String?
        repeat {
            var url = emulatorURL + "/calendar/v3/calendars/\(calendarID)/events?showDeleted=true&maxResults=2500"
            if let syncToken { url += "&syncToken=\(syncToken)" }
            if let page { url += "&pageToken=\(page)" }
            let response = try http.send(HTTPRequest(url: url, headers: [HTTPHeader("Authorization", "Bearer \(token)")]))
            guard response.isSuccess, let body = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
                throw BenchError(description: "events.list \(response.status)")
            }
            items += body["items"] as? [[String: Any]] ?? []
            page = body["nextPageToken"] as? String
            if let next = body["nextSyncToken"] as? String { syncToken = next }
        } while page != nil
        return items.filter { item in
            let mirror = ((item["extendedProperties"] as? [String: Any])?["private"] as? [String: Any])?["calworkerMirror"] as? String == "1"
            return mirror && item["status"] as? String != "cancelled"
        }
    }
}

say("== 1. latency: a user's edit to the busy block in the other calendar (\(editCount) edits)")
let latencyDB = try makeDatabase("calworker_bench_push")
let owner = "ada@push.bench"
try seedAccounts([owner], calendars: 2)
let db = try PostgresConnection.connect(latencyDB)
let ownerID = try AccountStore(cipher: cipher).add(email: owner, owner: nil, refreshToken: "rt-\(owner)", on: db).id
let service = try Service(database: latencyDB) { address in
    jobEnvironment(push: address.isEmpty ? nil : PushSettings(address: address), database: latencyDB)
}
let pushEnvironment = jobEnvironment(push: PushSettings(address: service.address), database: latencyDB)
_ = try JobKinds.registry(pushEnvironment).enqueue(SyncAccountArgs(.account(ownerID)), queue: JobQueue(), on: db)
try waitUntil { try count(db, "SELECT count(*) FROM calworker.push_channels WHERE state = 'active' AND confirmed_at IS NOT NULL") == 3 }
try waitUntil { try count(db, "SELECT count(*) FROM calworker.jobs WHERE state IN ('available', 'running')") == 0 }
let watcher = try CalendarWatcher(account: owner, calendarID: "1.\(owner)")
var latencies: [Double] = []
let base = Date().addingTimeInterval(86_400)
for index in 0..<editCount {
    let started = ContinuousClock.now
    try admin("POST", "/calendars/\(owner)/events", event("Edit \(index)", at: base.addingTimeInterval(Double(index) * 3600)))
    var seen = false
    while !seen {
        seen = try !watcher.changes().isEmpty
        if !seen { Thread.sleep(forTimeInterval: 0.005) }
        if seconds(since: started) > 60 { fail("edit \(index): no busy block after 60 s") }
    }
    latencies.append(seconds(since: started))
    Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.15))
}
service.stop()
// The floor: one edit synced and mirrored by the same code called directly (the calendar's
// incremental sync and the group's mirror step), no notification, no queue, no delay.
var floors: [Double] = []
for index in 0..<20 {
    try admin("POST", "/calendars/\(owner)/events", event("Direct \(index)", at: base.addingTimeInterval(Double(editCount + index) * 3600)))
    let started = ContinuousClock.now
    let outcome = try AccountSyncRun(
        accountID: ownerID, calendarID: owner, engine: pushEnvironment.syncEngine(metrics: MetricsRegistry()), db: db,
        metrics: MetricsRegistry(), now: Date(), shouldAbort: { false }
    ).run()
    guard case .synced = outcome else { fail("the direct sync did not succeed: \(outcome)") }
    floors.append(seconds(since: started))
}
// Part 1's channels are done with: stopped, so Google (the emulator) stops retrying them.
_ = try JobKinds.registry(jobEnvironment(push: nil, database: latencyDB))
    .enqueue(WatchChannelsArgs(.account(ownerID)), queue: JobQueue(), on: db)
try drain(latencyDB, jobEnvironment(push: nil, database: latencyDB))
let sortedLatencies = latencies.sorted()
let floor = floors.sorted()[floors.count / 2]
say(
    "  edit -> busy block: p50 \(fmt(percentile(sortedLatencies, 0.5) * 1000)) ms, p90 \(fmt(percentile(sortedLatencies, 0.9) * 1000)) ms, "
        + "p99 \(fmt(percentile(sortedLatencies, 0.99) * 1000)) ms, max \(fmt(sortedLatencies.last! * 1000)) ms")
say(
    "  reference: the same sync and mirror step run directly (median of 20): \(fmt(floor * 1000)) ms; "
        + "p50 ratio \(fmt(percentile(sortedLatencies, 0.5) / floor, 1))x (the rest is the \(fmt(PushSettings(address: "").coalesceDelay.seconds * 1000)) ms coalescing delay and delivery)"
)
say("  polling every five minutes waits 150 s on average for the next fire: p50 is \(fmt(150 / percentile(sortedLatencies, 0.5)))x shorter")

// MARK: 2. Idle calls per hour

say("== 2. API calls per idle account per hour (2 calendars)")
func idleHour(push: Bool) throws -> (calls: Int, renewal: Int) {
    let name = push ? "calworker_bench_idle_push" : "calworker_bench_idle_poll"
    let url = try makeDatabase(name)
    let email = push ? "idle-push@push.bench" : "idle-poll@push.bench"
    try seedAccounts([email], calendars: 2)
    let db = try PostgresConnection.connect(url)
    let id = try AccountStore(cipher: cipher).add(email: email, owner: nil, refreshToken: "rt-\(email)", on: db).id
    var renewal = 0
    let service =
        push
        ? try Service(database: url) { address in
            jobEnvironment(push: address.isEmpty ? nil : PushSettings(address: address), database: url)
        } : nil
    defer { service?.stop() }
    let environment = jobEnvironment(push: service.map { PushSettings(address: $0.address) }, database: url)
    let registry = JobKinds.registry(environment)
    _ = try registry.enqueue(SyncAccountArgs(.account(id)), queue: JobQueue(), on: db)
    try drain(url, environment)
    if push {
        try waitUntil { try count(db, "SELECT count(*) FROM calworker.push_channels WHERE confirmed_at IS NOT NULL AND state = 'active'") == 3 }
    }
    let before = try apiCalls()
    for _ in 0..<12 {
        // Five minutes pass: the safety interval's clock moves on.
        try db.execute("UPDATE calworker.accounts SET last_full_sync_at = last_full_sync_at - interval '5 minutes'")
        _ = try registry.enqueue(SyncAccountArgs(.all), queue: JobQueue(), on: db)
        try drain(url, environment)
    }
    let calls = try apiCalls() - before
    if push {
        // Every channel due: each renewed once (a watch, then a stop), by the keeper itself.
        var renewing = environment
        renewing.push?.renewBefore = 8 * 86_400
        let start = try apiCalls()
        let report = try ChannelKeeper(
            accountID: id, providers: renewing.syncEngine(metrics: MetricsRegistry()).providers, push: renewing.push,
            store: AccountStore(cipher: cipher), db: db,
            metrics: MetricsRegistry(),
            shouldAbort: { false }
        ).run()
        guard report.created == 3 && report.stopped == 3 else { fail("the renewal did not renew every channel: \(report)") }
        renewal = try apiCalls() - start
    }
    return (calls, renewal)
}
let poll = try idleHour(push: false)
let push = try idleHour(push: true)
// A channel lives 7 days and is renewed 1 day before it expires: one renewal per 6 days.
let renewalPerHour = Double(push.renewal) / (6 * 24)
let pushPerHour = Double(push.calls) + renewalPerHour
say("  poll mode: \(poll.calls) calls an hour (12 fires, each syncing the calendar list and both calendars)")
say(
    "  push mode: \(push.calls) calls an hour from the safety poll + \(fmt(renewalPerHour, 2)) for renewals "
        + "(\(push.renewal) calls per renewal of its 3 channels, every 6 days) = \(fmt(pushPerHour, 2))")
say("  ratio: \(fmt(Double(poll.calls) / pushPerHour, 1))x fewer calls with push")

// MARK: 3. Many accounts

say("== 3. \(accountCount) accounts x 3 calendars, 1% of calendars changing a minute: five minutes of work in each mode")
func fiveMinutes(push: Bool) throws -> (calls: Int, changes: Int) {
    let name = push ? "calworker_bench_many_push" : "calworker_bench_many_poll"
    let url = try makeDatabase(name)
    let prefix = push ? "push" : "poll"
    let emails = (0..<accountCount).map { "\(prefix)\($0)@many.bench" }
    try seedAccounts(emails, calendars: 3)
    let db = try PostgresConnection.connect(url)
    let store = AccountStore(cipher: cipher)
    for email in emails { _ = try store.add(email: email, owner: nil, refreshToken: "rt-\(email)", on: db) }
    let service =
        push
        ? try Service(database: url) { address in
            jobEnvironment(push: address.isEmpty ? nil : PushSettings(address: address), database: url)
        } : nil
    defer { service?.stop() }
    let environment = jobEnvironment(push: service.map { PushSettings(address: $0.address) }, database: url)
    let registry = JobKinds.registry(environment)
    let setup = ContinuousClock.now
    _ = try registry.enqueue(SyncAccountArgs(.all), queue: JobQueue(), on: db)
    try drain(url, environment)
    if push {
        try waitUntil {
            try count(db, "SELECT count(*) FROM calworker.push_channels WHERE confirmed_at IS NOT NULL AND state = 'active'") == accountCount * 4
        }
    }
    say("  \(prefix) mode: \(accountCount) accounts synced\(push ? " and watched" : "") in \(fmt(seconds(since: setup))) s")
    let before = try apiCalls()
    let changes = accountCount * 3 / 100 * 5
    let soon = Date().addingTimeInterval(2 * 86_400)
    for index in 0..<changes {
        let email = emails[Int.random(in: 0..<emails.count)]
        let calendar = [email, "1.\(email)", "2.\(email)"][Int.random(in: 0..<3)]
        try admin("POST", "/calendars/\(calendar)/events", event("Change \(index)", at: soon.addingTimeInterval(Double(index) * 60)))
    }
    if push {
        // The notified syncs, then the safety poll of the accounts whose hour is up: a twelfth of them in five minutes.
        let address = service!.address
        try waitUntil {
            let listing = try JSONSerialization.jsonObject(with: try admin("GET", "/channels")) as? [String: Any]
            let ours = (listing?["channels"] as? [[String: Any]] ?? []).filter {
                $0["address"] as? String == address && $0["state"] as? String == "live"
            }
            let queued = ours.reduce(0) { $0 + ($1["messagesQueued"] as? Int ?? 0) }
            let quiet = try count(db, "SELECT count(*) FROM calworker.jobs WHERE state IN ('available', 'running')") == 0
            return queued == 0 && quiet
        }
        try db.execute(
            """
            UPDATE calworker.accounts SET last_full_sync_at = now() - interval '2 hours'
             WHERE id IN (SELECT id FROM calworker.accounts ORDER BY id LIMIT \(accountCount / 12))
            """)
    }
    _ = try registry.enqueue(SyncAccountArgs(.all), queue: JobQueue(), on: db)
    try drain(url, environment)
    if push {
        try waitUntil { try count(db, "SELECT count(*) FROM calworker.jobs WHERE state IN ('available', 'running')") == 0 }
    }
    return (try apiCalls() - before, changes)
}
let manyPoll = try fiveMinutes(push: false)
let manyPush = try fiveMinutes(push: true)
// Renewals: every channel (calendar list + 3 calendars per account) once per 6 days, at the
// cost measured in part 2 (a watch and a stop per channel).
let channelRenewalCalls = Double(push.renewal) / 3
let renewalsPerMinute = Double(accountCount * 4) * channelRenewalCalls / (6 * 24 * 60)
let pollPerMinute = Double(manyPoll.calls) / 5
let pushPerMinute = Double(manyPush.calls) / 5 + renewalsPerMinute
say("  poll mode: \(manyPoll.calls) calls for \(manyPoll.changes) changes and one fan-out over every account = \(fmt(pollPerMinute)) calls a minute")
say(
    "  push mode: \(manyPush.calls) calls for \(manyPush.changes) notified changes and the safety poll of a twelfth of the accounts, "
        + "+ \(fmt(renewalsPerMinute, 1)) a minute for renewals = \(fmt(pushPerMinute)) calls a minute")
say(
    "  against Google's 10,000 a minute per project: poll mode uses \(fmt(pollPerMinute / 100, 1))%, push mode \(fmt(pushPerMinute / 100, 1))%; "
        + "ratio \(fmt(pollPerMinute / pushPerMinute, 1))x")
say(
    "  accounts each mode could serve within 10,000 a minute: poll \(fmt(Double(accountCount) * 10_000 / pollPerMinute)), "
        + "push \(fmt(Double(accountCount) * 10_000 / pushPerMinute))")
