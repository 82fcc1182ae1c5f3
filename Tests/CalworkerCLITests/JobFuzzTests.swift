import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// Hundreds of generated jobs per kind, with hostile args and hostile column values, written
/// straight into the table the way another program might, then run by the real worker beside
/// healthy jobs. Nothing may crash the process, no job may be left running or lost, every job
/// that did not complete says why, and the healthy jobs complete.
@Suite struct JobFuzzTests {
    static let seed: UInt64 = 0x2026_1203
    static let perKind = 200

    /// What a kind's argument holds, so that most generated args decode and reach validation
    /// and the handler with hostile contents, not only the decoder.
    enum Shape { case duration, integer, sleep, boolean, text, location, alert, id }

    static let kinds: [String: [String: Shape]] = [
        "noop": ["sleep_ms": .sleep, "fail": .text],
        "cleanup": [
            "account_id": .id, "reset": .boolean, "completed_after": .duration, "discarded_after": .duration,
            "runs_after": .duration, "tombstones_after": .duration, "workers_after": .duration,
            "notifications_after": .duration, "thumbnails": .location, "batch": .integer,
        ],
        "thumbnail": [
            "source": .location, "prefix": .location, "target": .location, "size": .integer, "height": .integer,
            "crop": .text, "format": .text, "quality": .integer, "force": .boolean,
        ],
        "backup": ["target": .location, "keep_daily": .integer, "keep_weekly": .integer, "keep_monthly": .integer],
        "notify": ["reminders": .boolean, "alerts": .boolean, "alert": .alert],
        "sync_account": ["account_id": .id, "calendar_id": .text, "via_push": .boolean],
        "watch_channels": ["account_id": .id],
        "ics_export": ["feed_id": .id, "owner": .text, "force": .boolean],
        "no_such_kind": ["x": .text],
    ]

    @Test func generatedJobsNeverCrashTheWorkerAndAllEndWithAReason() throws {
        var random = SplitMix(seed: Self.seed)
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-fuzz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/photos", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        var fuzzed: [Int64] = []
        for kind in Self.kinds.keys.sorted() {
            for _ in 0..<Self.perKind {
                let args = Self.args(for: Self.kinds[kind]!, root: root, random: &random)
                let columns = Self.columns(random: &random)
                let sql = """
                    INSERT INTO calworker.jobs (kind, args, attempt, max_attempts, run_at, priority, timeout_ms)
                    VALUES ($1, $2::jsonb, $3, $4, \(columns.runAt), $5, $6) RETURNING id
                    """
                fuzzed.append(
                    try db.query(sql, [kind, args, columns.attempt, columns.maxAttempts, columns.priority, columns.timeoutMs])[0].decode(at: 0))
            }
        }
        // Jobs of a dead worker with hostile values, for the rescue at start.
        for _ in 0..<40 {
            let attempt = random.pick([0, 1, 7, 2_147_483_647, -4])
            let started = random.pick(["NULL", "'-infinity'", "'infinity'", "now()", "'1970-01-01'"])
            fuzzed.append(
                try db.query(
                    """
                    INSERT INTO calworker.jobs (kind, args, state, attempt, max_attempts, attempted_at, lease_until, worker_id)
                    VALUES ('noop', '{}', 'running', $1, $2, \(started), \(random.pick(["'-infinity'", "now() - interval '1 minute'"])), 'gone')
                    RETURNING id
                    """, [attempt, random.pick([1, 5, 2_147_483_647])])[0].decode(at: 0))
        }
        let healthy = try JobQueue().enqueueMany((0..<50).map { _ in NewJob(kind: "noop", args: #"{"sleep_ms": 1}"#) }, on: db)

        let nowhere = "http://127.0.0.1:1"
        let run = try CalworkerProcess.run(
            ["work", "--once", "--concurrency", "8"], databaseURL: database.url,
            environment: [
                "CALWORKER_LOG_LEVEL": "error", "CALWORKER_GOOGLE_API_URL": nowhere, "CALWORKER_GOOGLE_TOKEN_URL": nowhere + "/token",
                "CALWORKER_S3_ENDPOINT": nowhere, "CALWORKER_S3_ACCESS_KEY_ID": "AKIAFUZZ", "CALWORKER_S3_SECRET_ACCESS_KEY": "fuzz-secret-key",
                "CALWORKER_MEDIA_ROOT": root, "CALWORKER_SMTP_URL": "smtp://127.0.0.1:1", "CALWORKER_BACKUP_TARGET": "file://\(root)/backups/",
                "CALWORKER_TOKEN_KEY": Data((0..<32).map { UInt8($0) }).base64EncodedString(),
            ], timeout: 600)
        #expect(run.status == 0, "seed \(Self.seed): \(run.stderr.suffix(3000))")
        #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Crash"), "seed \(Self.seed)")

        let states = try db.query(
            "SELECT id, state, coalesce(last_error, ''), (SELECT count(*) FROM calworker.job_runs r WHERE r.job_id = j.id) FROM \(EveryJob.sql) AS j")
        var byState: [String: Int] = [:]
        var problems: [String] = []
        for row in states {
            let id: Int64 = try row.decode(at: 0)
            let state: String = try row.decode(at: 1)
            let error: String = try row.decode(at: 2)
            let runs: Int = try row.decode(at: 3)
            byState[state, default: 0] += 1
            if state == "running" { problems.append("job \(id) was left running") }
            if state != "completed" && error.isEmpty { problems.append("job \(id) is \(state) without a reason") }
            if runs == 0 && !error.hasPrefix("quarantined") && state != "completed" && fuzzed.contains(id) {
                problems.append("job \(id) is \(state) without any run record: \(error)")
            }
        }
        #expect(problems.count == 0, "seed \(Self.seed): \(problems.prefix(10))")
        for id in healthy { #expect(try JobQueue().job(id: id, on: db)?.state == .completed, "healthy job \(id)") }
        // Every fuzzed job was looked at: none still waits to be run for the first time.
        let untouched = try db.query("SELECT count(*) FROM calworker.jobs WHERE state = 'available' AND run_at <= now() AND attempted_at IS NULL")[0]
            .decode(Int.self, at: 0)
        #expect(untouched == 0, "seed \(Self.seed): \(byState)")
        #expect((byState["discarded"] ?? 0) > Self.perKind, "most hostile jobs are refused: \(byState)")
    }

    /// An args object: some of the kind's own keys, mostly with a value of the right type and
    /// hostile content, sometimes of any type; now and then a key the kind does not know.
    static func args(for keys: [String: Shape], root: String, random: inout SplitMix) -> String {
        var object: [String] = []
        for key in keys.keys.sorted() where random.chance(0.4) {
            let text = random.chance(0.85) ? typed(keys[key]!, root: root, random: &random) : value(random: &random, root: root, depth: 0)
            object.append("\(quote(key)): \(text)")
        }
        if random.chance(0.05) { object.append("\(quote("unexpected")): 1") }
        return "{" + object.joined(separator: ", ") + "}"
    }

    static func typed(_ shape: Shape, root: String, random: inout SplitMix) -> String {
        switch shape {
        case .duration:
            return quote(
                random.pick([
                    "99999999999999999999d", "1000000000000000d", "1e308d", "9223372036854775807s", "36500d",
                    "36501d", "1m", "59s", "7d", "0s", "-1d", "1h30m", "soon", "", String(repeating: "9", count: 400) + "d",
                ]))
        case .integer:
            return random.pick([
                "0", "-1", "1", "200", "9223372036854775807", "-9223372036854775808", "2147483648", "86400001",
                "100000", "100001", "65535", "99999999",
            ])
        case .sleep:
            // Out of range, or short: a valid sleep of a day would only test patience.
            return random.pick(["0", "1", "-1", "86400001", "9223372036854775807", "1e30", "200", "1.5"])
        case .id:
            return random.pick(["1", "0", "-1", "9223372036854775807", #""all""#, #""1""#])
        case .boolean:
            return random.pick(["true", "false"])
        case .text:
            return quote(
                random.pick([
                    "retry", "discard", "centre", "attention", "jpeg", "png", "webp", "", "\u{1B}[2J",
                    String(repeating: "é", count: 2000),
                ]))
        case .location:
            return quote(
                random.pick([
                    "file:///etc/passwd", "file://\(root)/photos/a.jpg", "file://\(root)/photos/", "file://\(root)/../../etc/",
                    "s3://", "s3://bucket/key.jpg", "s3://UPPER/x", "s3://b/" + String(repeating: "k", count: 2000),
                    "http://127.0.0.1:1/a.jpg", "https://127.0.0.1:1/p/", "gopher://x", "file:///", "", "not a url",
                ]))
        case .alert:
            return #"{"subject": \#(value(random: &random, root: root, depth: 1)), "detail": \#(value(random: &random, root: root, depth: 1))}"#
        }
    }

    static func value(random: inout SplitMix, root: String, depth: Int) -> String {
        switch random.below(depth > 3 ? 4 : 7) {
        case 0:
            return random.pick([
                "0", "-1", "1", "7", "1e30", "-1e30", "9223372036854775807", "18446744073709551616", "1.5", "-0",
                "1e-300", "2147483648", "86400001", "100000",
            ])
        case 1:
            return quote(
                random.pick([
                    "", "all", "retry", "99999999999999999999d", "1e308d", "-5s", "7d", "file:///etc/passwd", "s3://",
                    String(repeating: "é", count: 1000), "line\nbreak\u{1B}[2J", "2026-02-30T25:61:00Z", "\u{202E}reversed",
                ]))
        case 2: return random.pick(["true", "false", "null"])
        case 3: return quote(String(repeating: "x", count: random.pick([64, 4096, 100_000])))
        case 4: return "[" + (0..<random.below(4)).map { _ in value(random: &random, root: root, depth: depth + 1) }.joined(separator: ", ") + "]"
        case 5: return #"{"subject": \#(value(random: &random, root: root, depth: depth + 1))}"#
        default: return String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        }
    }

    /// Column values: mostly sane, sometimes at the edges of their types. Attempts are near
    /// the maximum so that one run of the worker ends every job it claims.
    static func columns(random: inout SplitMix) -> (attempt: Int, maxAttempts: Int, runAt: String, priority: Int, timeoutMs: Int?) {
        let (attempt, maxAttempts) = random.pick([(0, 1), (1, 2), (0, 1), (2_147_483_647, 2_147_483_647), (998, 999), (5, 3)])
        let runAt = random.pick(["now() - interval '1 second'", "'-infinity'", "'1970-01-01'", "now() - interval '10 years'"])
        let priority = random.pick([0, 0, -32768, 32767, 5])
        let timeout = random.pick([nil, 1, 50, 2_147_483_647, 60_000])
        return (attempt, maxAttempts, runAt, priority, timeout)
    }

    static func quote(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed), as: UTF8.self)
    }
}

/// A small seeded generator, so a failure can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func chance(_ probability: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < probability }
    mutating func pick<T>(_ options: [T]) -> T { options[below(options.count)] }
}
