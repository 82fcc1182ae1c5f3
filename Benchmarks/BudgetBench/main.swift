import BenchSupport
import CalendarSync
import Foundation
import Google
import HTTPClient
import JobQueue
// The shared request budget benchmark: not a test. Prints figures and their ratio to a
// reference measured in the same run.
//
//   scripts/bench-budgets [--seconds N]
//
// 1. Cost: one take from the shared bucket (`calworker.take_request_budget`) against the raw
//    round trip of `SELECT 1` on the same connection (the database's limit for any shared state).
// 2. Two "workers" (two threads, each with its own database connection, HTTP client and token,
//    as two processes would have) calling the Calendar API as the same account for N seconds
//    (default 75, more than Google's sliding minute) against the google-emulator limited to
//    Google's 600 requests/minute/user, with calworker's budget of 500: first with the shared
//    budget, then with a bucket per worker (as before). Reported: requests made, their rate
//    against the budget, and the 403 userRateLimitExceeded answers received.
import Jobs
import Metrics
import Postgres
import RequestBudgets
import Synchronization

let adminURL = argument("--url") ?? ""
let emulatorURL = argument("--emulator") ?? ""
guard !adminURL.isEmpty, !emulatorURL.isEmpty else {
    FileHandle.standardError.write(Data("use scripts/bench-budgets (it starts PostgreSQL and the emulator)\n".utf8))
    exit(2)
}
let duration = Double(argument("--seconds") ?? "") ?? 75

let admin = EmulatorAdmin(emulatorURL)

/// Calendar API answers by status, from the emulator's own count.
func statuses() throws -> [Int: Int] {
    let stats = try JSONSerialization.jsonObject(with: try admin("GET", "/stats")) as? [String: Any]
    var counts: [Int: Int] = [:]
    for row in stats?["requests"] as? [[String: Any]] ?? [] {
        let route = row["route"] as? String ?? ""
        guard route.hasPrefix("users/") || route.hasPrefix("calendars/"), let status = row["status"] as? Int else { continue }
        counts[status, default: 0] += row["count"] as? Int ?? 0
    }
    return counts
}

/// A token fetched once through the emulator's token endpoint, refreshed when refused.
final class BenchTokens: AccessTokenSource {
    let oauth = OAuthClient(
        tokenURL: emulatorURL + "/token", clientID: "calworker-test-client", clientSecret: "calworker-test-secret",
        http: HTTPClient(service: "bench_oauth", metrics: MetricsRegistry()))
    var current: String?
    func accessToken() throws -> String {
        if let current { return current }
        return try refresh()
    }
    func refresh() throws -> String {
        current = try oauth.refresh("rt-ada@example.com").accessToken
        return current!
    }
}

let root = try PostgresConnection.connect(adminURL)
try root.execute("DROP DATABASE IF EXISTS cw_bench_budgets WITH (FORCE)")
try root.execute("CREATE DATABASE cw_bench_budgets")
let url = adminURL + " dbname=cw_bench_budgets"
let db = try PostgresConnection.connect(url)
try CalworkerSchema.migrator.migrate(on: db)
let account: Int64 = try db.query(
    """
    INSERT INTO calworker.accounts (email, owner, key_id, refresh_token)
    VALUES ('ada@example.com', 'owner-1', 'bench', '\\x00') RETURNING id
    """)[0].decode(at: 0)

// 1. The cost of a take against a raw round trip.
let rounds = 20_000
let shared = PostgresRequestBudgets(conninfo: url)
let raw = try PostgresConnection.connect(url)
_ = try raw.query("SELECT 1", prepared: true)
_ = try shared.take(1, account: account, capacity: 1e12, perSecond: 1e12)
let rawSeconds = try seconds { for _ in 0..<rounds { _ = try raw.query("SELECT 1", prepared: true) } }
let takeSeconds = try seconds { for _ in 0..<rounds { _ = try shared.take(1, account: account, capacity: 1e12, perSecond: 1e12) } }
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")
print(
    "take from the shared bucket: \(fmt(takeSeconds / Double(rounds) * 1e6, 1)) µs; SELECT 1 round trip: "
        + "\(fmt(rawSeconds / Double(rounds) * 1e6, 1)) µs; ratio \(fmt(takeSeconds / rawSeconds, 2))")
print("  per API call at the default batch of 5: \(fmt(takeSeconds / Double(rounds) * 1e6 / 5, 1)) µs")

// 2. Two workers as one account against Google's limit.
try admin(
    "POST", "/seed",
    [
        "accounts": [
            [
                "email": "ada@example.com", "refresh_token": "rt-ada@example.com",
                "calendars": [["id": "ada@example.com", "primary": true, "events": []]],
            ]
        ]
    ])
try admin("POST", "/options", ["userRequestsPerMinute": 600])

func twoWorkers(sharing: Bool) throws -> (requests: Int, refused: Int, seconds: Double) {
    try db.execute("DELETE FROM calworker.request_budgets")
    let before = try statuses()
    let made = Mutex(0)
    let failures = Mutex<[String]>([])
    let deadline = ContinuousClock.now + .milliseconds(Int64(duration * 1000))
    let elapsed = seconds {
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let budgets = sharing ? PostgresRequestBudgets(conninfo: url) : nil
            let client = CalendarClient(
                apiURL: emulatorURL + "/calendar/v3", http: HTTPClient(service: "google", metrics: MetricsRegistry()),
                tokens: BenchTokens(), budget: RequestBudget(perMinute: 500, shared: budgets, account: account),
                shouldAbort: { ContinuousClock.now >= deadline })
            while ContinuousClock.now < deadline {
                do {
                    _ = try client.events(calendarID: "ada@example.com", pageToken: nil, syncToken: nil, maxResults: 1)
                    made.withLock { $0 += 1 }
                } catch {
                    if case CalendarClientError.stopped = error { return }
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
    }
    let after = try statuses()
    let failed = failures.withLock { $0 }
    if !failed.isEmpty { print("  \(failed.count) calls failed after their retries, e.g. \(failed[0])") }
    return (made.withLock { $0 }, (after[403] ?? 0) - (before[403] ?? 0) + (after[429] ?? 0) - (before[429] ?? 0), elapsed)
}

print("two workers calling as one account for \(fmt(duration)) s; emulator limited to 600 requests/minute/user; budget 500/minute/account")
// The budget allows a burst of a tenth of a minute's, then the rate: the most it may grant.
let allowed = 50 + 500 * duration / 60
let sharedRun = try twoWorkers(sharing: true)
print(
    "  shared budget:      \(sharedRun.requests) calls (\(fmt(Double(sharedRun.requests) / sharedRun.seconds * 60)) /min), "
        + "ratio \(fmt(Double(sharedRun.requests) / allowed, 2)) to the \(fmt(allowed)) the budget allows; 403/429 received: \(sharedRun.refused)")
// Google's sliding minute still holds the first run's calls; wait it out.
Thread.sleep(forTimeInterval: 61)
let separateRun = try twoWorkers(sharing: false)
print(
    "  a bucket per worker: \(separateRun.requests) calls (\(fmt(Double(separateRun.requests) / separateRun.seconds * 60)) /min), "
        + "ratio \(fmt(Double(separateRun.requests) / allowed, 2)); 403/429 received: \(separateRun.refused)")
