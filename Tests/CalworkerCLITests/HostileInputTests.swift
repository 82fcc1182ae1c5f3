import CalworkerCLI
import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// Values a hostile or careless user sends, through the real binary: a crash here would be
/// SIGILL in a child, not in the test runner, and shows as a failed test.
@Suite struct HostileInputTests {
    static let huge = ["99999999999999999999d", "1000000000d", "9223372036854775807s"]

    /// No crash report, no Swift runtime trap, no raw PostgreSQL error.
    static func expectCleanFailure(
        _ run: (status: Int32, stdout: String, stderr: String), code: Int32,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(run.status == code, "\(run.stderr)", sourceLocation: sourceLocation)
        for sign in ["Fatal error", "Crash", "SQLSTATE"] {
            #expect(!run.stderr.contains(sign), "\(run.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        ["enqueue", "noop", "--in"], ["enqueue", "noop", "--timeout"], ["runs", "--since"], ["status", "--since"],
        ["work", "--once", "--grace-period"], ["work", "--once", "--poll-interval"], ["healthcheck", "--max-age"],
    ])
    func hugeDurationsInFlagsExitTwoNamingTheFlag(command: [String]) throws {
        for value in Self.huge {
            let run = try CalworkerProcess.run(command + [value], databaseURL: "host=/nonexistent")
            Self.expectCleanFailure(run, code: 2)
            #expect(run.stderr.contains(command.last!), "\(run.stderr)")
        }
    }

    @Test(arguments: [
        "CALWORKER_LEASE", "CALWORKER_RETRY_BASE", "CALWORKER_RETRY_CAP", "CALWORKER_ALERT_INTERVAL",
        "CALWORKER_DATABASE_STATEMENT_TIMEOUT", "CALWORKER_NOTIFY_CLAIM_TIMEOUT", "CALWORKER_ALERT_SYNC_STALE",
    ])
    func hugeDurationsInTheEnvironmentExitThreeNamingTheVariable(variable: String) throws {
        for value in Self.huge {
            let run = try CalworkerProcess.run(["queue"], databaseURL: "host=/nonexistent", environment: [variable: value])
            Self.expectCleanFailure(run, code: 3)
            #expect(run.stderr.contains(variable))
        }
    }

    @Test func badJobFilesAreEachNamedByFileAndFieldAndTheGoodOnesListed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-jobs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = [
            "good.json": #"{"kind": "noop", "schedule": "*/5 * * * *"}"#,
            "timeout.json": #"{"kind": "noop", "timeout": "99999999999999999999d"}"#,
            "february.json": #"{"kind": "noop", "schedule": "0 0 30 2 *"}"#,
            "attempts.json": #"{"kind": "noop", "max_attempts": 5000}"#,
            "queue.json": #"{"kind": "noop", "queue": "no spaces please"}"#,
            "priority.json": #"{"kind": "noop", "priority": 99999}"#,
            "args.json": #"{"kind": "noop", "args": {"sleep_ms": -1}}"#,
            "kind.json": #"{"kind": "nonsense"}"#,
            "garbage.json": "{not json",
        ]
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let run = try CalworkerProcess.run(["jobs", "validate", folder.path], databaseURL: "host=/nonexistent")
        Self.expectCleanFailure(run, code: 2)
        let expected = [
            "timeout.json: field 'timeout'", "february.json: field 'schedule'", "attempts.json: field 'max_attempts'",
            "queue.json: field 'queue'", "priority.json: field 'priority'", "args.json: field 'args'", "kind.json: field 'kind'",
            "garbage.json: is not a JSON object",
        ]
        for line in expected { #expect(run.stderr.contains(line), "missing \(line) in \(run.stderr)") }
        #expect(run.stdout.contains("good.json") && run.stdout.contains("never fires"))
        let enqueue = try CalworkerProcess.run(
            ["enqueue", "--file", folder.appendingPathComponent("timeout.json").path], databaseURL: "host=/nonexistent")
        Self.expectCleanFailure(enqueue, code: 2)
    }

    @Test func argsAndTimesPostgresCannotStoreAreUsageErrors() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let cases: [[String]] = [
            ["enqueue", "noop", "--args", #"{"fail": "\u0000"}"#],
            ["enqueue", "noop", "--args", "\u{FEFF}{}"],
            ["enqueue", "noop", "--at", "0001-01-01T00:00:00Z"],
            ["enqueue", "noop", "--at", "99999-01-01T00:00:00Z"],
            ["schedule", "run", "--as-of", "99999-01-01T00:00:00Z"],
            ["schedule", "run", "--as-of", "0001-01-01T00:00:00Z"],
        ]
        for arguments in cases {
            Self.expectCleanFailure(try CalworkerProcess.run(arguments, databaseURL: database.url), code: 2)
        }
        // Too long for a command line, so in-process: two megabytes of args.
        let big = calworker(["enqueue", "noop", "--args", "{\"x\": \"" + String(repeating: "a", count: 2 << 20) + "\"}"], url: database.url)
        #expect(big.code == .usage && big.err.contains("at most"))
        let db = try database.connect()
        #expect(try db.query("SELECT count(*) FROM calworker.jobs")[0].decode(Int.self, at: 0) == 0)
    }

    /// Filters and cursors an operator (or a script) pastes: a value PostgreSQL cannot use was
    /// reported as an outage ("interval out of range", exit 1); each is a usage error, exit 2.
    @Test func hostileFilterValuesAndCursorsAreUsageErrorsNotOutages() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let cases: [[String]] = [
            ["runs", "--before", "9223372036854775807-1-1"], ["runs", "--before", "-1-1-1"], ["runs", "--before", "1-0-1"],
            ["runs", "--before", "1-1-2147483648"], ["runs", "--before", "+5-1-1"], ["runs", "--before", "١-1-1"],
            ["runs", "--job", "-3"], ["runs", "--job", "99999999999999999999"], ["runs", "--account", "0"],
            ["runs", "--until", "99999-01-01T00:00:00Z"], ["runs", "--limit", "0"], ["runs", "--limit", "99999999999"],
            ["runs", "--arg", "=x"], ["runs", "--state", "exploded"], ["runs", "show", "-1"],
            ["runs", "export", "--since", "9223372036854775807s"], ["audit", "--limit", "-1"],
            ["retry", "--account", "-1", "--dry-run"], ["cancel", "--job", "x"],
        ]
        for arguments in cases {
            Self.expectCleanFailure(try CalworkerProcess.run(arguments, databaseURL: database.url), code: 2)
        }
        // A cursor a page really ends with still works.
        let page = try CalworkerProcess.run(["runs", "--before", "1796119200000000-12-1"], databaseURL: database.url)
        #expect(page.status == 0, "\(page.stderr)")
    }

    @Test func poisonArgsWrittenStraightIntoTheTableAreDiscardedAndTheJobsBesideThemRun() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let poison = [
            #"{"completed_after": "99999999999999999999d"}"#, #"{"runs_after": "1000000000000000d"}"#,
            #"{"discarded_after": "1e308d"}"#,
        ]
        var poisonIDs: [Int64] = []
        for args in poison {
            poisonIDs.append(
                try db.query("INSERT INTO calworker.jobs (kind, args) VALUES ('cleanup', $1::jsonb) RETURNING id", [args])[0].decode(at: 0))
        }
        poisonIDs.append(
            try db.query(#"INSERT INTO calworker.jobs (kind, args) VALUES ('noop', '{"sleep_ms": 1e30}') RETURNING id"#)[0].decode(at: 0))
        let healthy = try JobQueue().enqueueMany((0..<6).map { _ in NewJob(kind: "noop") }, on: db)
        let run = try CalworkerProcess.run(["work", "--once", "--concurrency", "4"], databaseURL: database.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("Fatal error"))
        for id in poisonIDs {
            let job = try #require(try JobQueue().job(id: id, on: db))
            #expect(job.state == .discarded && job.attempt == 1, "\(job)")
            #expect(job.lastError?.contains("invalid args") == true, "\(job.lastError ?? "")")
        }
        for id in healthy { #expect(try JobQueue().job(id: id, on: db)?.state == .completed) }
        #expect(try db.query("SELECT count(*) FROM calworker.job_runs WHERE outcome = 'lost'")[0].decode(Int.self, at: 0) == 0)
    }

    @Test func aFarFutureFireNoLongerSilencesTheSchedule() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-far-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try #"{"kind": "noop", "schedule": "* * * * *"}"#.write(to: folder.appendingPathComponent("tick.json"), atomically: true, encoding: .utf8)
        let ahead = try CalworkerProcess.run(
            ["schedule", "run", "--jobs", folder.path, "--as-of", "2199-06-01T12:00:00Z", "--json"],
            databaseURL: database.url)
        #expect(ahead.status == 0, "\(ahead.stderr)")
        // Once the fire of 2199 is stored, passes run now still find the current minute due.
        let now = try CalworkerProcess.run(["schedule", "run", "--jobs", folder.path, "--json"], databaseURL: database.url)
        #expect(now.status == 0)
        #expect(now.stdout.contains("tick"), "nothing enqueued: \(now.stdout)")
    }

    @Test func aKindOfFiveMegabytesPrintsALineNotMegabytes() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        // A row from before the length check (which PostgreSQL now enforces for new rows).
        try db.execute("ALTER TABLE calworker.jobs DROP CONSTRAINT jobs_kind_length")
        try db.execute(
            "INSERT INTO calworker.jobs (kind, args, run_at) VALUES ($1, '{}', now() + interval '1 day')", [String(repeating: "k", count: 5 << 20)])
        try db.execute("ALTER TABLE calworker.jobs ADD CONSTRAINT jobs_kind_length CHECK (octet_length(kind) <= 64) NOT VALID")
        let run = try CalworkerProcess.run(["queue"], databaseURL: database.url)
        #expect(run.status == 0)
        #expect(run.stdout.utf8.count < 4096, "\(run.stdout.utf8.count) bytes")
    }

    @Test func terminalEscapesInStoredValuesAreShownNotSent() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let hostile = "boom \u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}[31mred\r\u{9B}31m"
        let id: Int64 = try db.query(
            "INSERT INTO calworker.jobs (kind, args, state, finished_at, last_error) VALUES ('noop', '{}', 'discarded', now(), $1) RETURNING id",
            [hostile])[0].decode(at: 0)
        for arguments in [["runs", "show", String(id)], ["queue"], ["runs", "show", String(id), "--json"]] {
            let run = try CalworkerProcess.run(arguments, databaseURL: database.url)
            #expect(run.status == 0, "\(run.stderr)")
            let controls = run.stdout.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value) }
            #expect(controls.isEmpty, "\(arguments): \(controls.map { $0.value })")
        }
        #expect(try CalworkerProcess.run(["runs", "show", String(id)], databaseURL: database.url).stdout.contains("\\u{1B}]0;owned"))
    }

    /// A U+202E in `$USER` reversed the rest of an `audit` line: what an operator read was not
    /// what was stored. Direction controls are escaped like control characters, in tables and
    /// in JSON (as JSON escapes, so a script reads the value back unchanged).
    @Test func directionControlsAreShownAsEscapesNotApplied() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let user = "eve\u{202E}nimda\u{2066}x\u{2069}\u{200F}"
        let paused = try CalworkerProcess.run(
            ["queue", "pause", "sync", "--reason", "r\u{202D}eason"], databaseURL: database.url, environment: ["USER": user])
        #expect(paused.status == 0, "\(paused.stderr)")
        let directionControls: Set<UInt32> = [0x202E, 0x202D, 0x2066, 0x2069, 0x200F]
        for arguments in [["audit"], ["audit", "--json"], ["queue"], ["queue", "--json"]] {
            let run = try CalworkerProcess.run(arguments, databaseURL: database.url)
            #expect(run.status == 0, "\(run.stderr)")
            let raw = run.stdout.unicodeScalars.filter { directionControls.contains($0.value) }
            #expect(raw.isEmpty, "\(arguments): \(raw.map { String($0.value, radix: 16) })")
        }
        #expect(try CalworkerProcess.run(["audit"], databaseURL: database.url).stdout.contains("eve\\u{202E}nimda"))
        let json = try CalworkerProcess.run(["audit", "--json"], databaseURL: database.url).stdout
        let rows = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        #expect(rows.contains { ($0["actor"] as? String)?.hasPrefix(user + "@") == true }, "the JSON still holds the value itself: \(json)")
    }

    @Test func aMalformedDatabaseURLDoesNotPrintItsPassword() throws {
        for url in ["postgresql://calworker:s3cr3t-p%zzword@localhost/calworker", "postgresql://calworker:s3cr3t p@ss word@localhost:1/x"] {
            for arguments in [["queue"], ["work", "--once"], ["config"], ["healthcheck"]] {
                let run = try CalworkerProcess.run(arguments, databaseURL: url, environment: ["CALWORKER_DATABASE_CONNECT_TIMEOUT": "2s"])
                for fragment in ["s3cr3t", "cr3t-p", "p%zz", "zzword", "ss word"] {
                    #expect(!(run.stdout + run.stderr).contains(fragment), "\(arguments): \(run.stdout + run.stderr)")
                }
            }
        }
    }

    @Test func aWorkerWithoutTheTokenKeySaysSoAndDiscardsSyncsAtOnce() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("cw-nokey-\(UUID().uuidString)")
        try "1//0gRefresh-no-key".write(to: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        let key = Data((0..<32).map { UInt8($0 ^ 0x11) }).base64EncodedString()
        #expect(
            try CalworkerProcess.run(
                ["accounts", "add", "--email", "ada@example.com", "--refresh-token-file", tokenFile.path],
                databaseURL: database.url, environment: ["CALWORKER_TOKEN_KEY": key]
            ).status == 0)
        let db = try database.connect()
        let id = try JobQueue().enqueue(NewJob(kind: "sync_account", args: #"{"account_id": 1}"#), on: db).id
        let run = try CalworkerProcess.run(["work", "--once"], databaseURL: database.url, environment: ["CALWORKER_LOG_LEVEL": "warning"])
        #expect(run.status == 0)
        #expect(run.stderr.contains("CALWORKER_TOKEN_KEY is not set"), "\(run.stderr)")
        let job = try #require(try JobQueue().job(id: id, on: db))
        #expect(job.state == .discarded && job.attempt == 1, "not retried twenty times")
        #expect(job.lastError?.contains("CALWORKER_TOKEN_KEY") == true)
    }
}
