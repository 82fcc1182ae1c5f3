import CalworkerCLI
import Configuration
import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// Runs the CLI in-process with captured output.
func calworker(_ arguments: [String], url: String, environment: [String: String] = [:]) -> (code: ExitCode, out: String, err: String) {
    let output = Output.capturing()
    var env = ["CALWORKER_DATABASE_URL": url, "CALWORKER_LOG_LEVEL": "warning"]
    env.merge(environment) { _, new in new }
    let code = CLI.run(arguments, environment: env, output: output)
    return (code, output.standardOutput, output.standardError)
}

@Suite struct CLITests {
    @Test(arguments: ["migrate", "enqueue", "work", "runs", "queue", "retry", "cancel", "workers", "config"])
    func everyCommandHasHelp(command: String) {
        let result = calworker([command, "--help"], url: "host=/nonexistent")
        #expect(result.code == .ok)
        #expect(result.out.contains("Usage: calworker \(command)"))
        #expect(result.out.contains("--json"))
    }

    @Test func overviewListsCommandsAndExitCodes() {
        let result = calworker(["--help"], url: "")
        #expect(result.code == .ok)
        for code in ExitCode.allCases { #expect(result.out.contains("  \(code.rawValue)  ")) }
        #expect(calworker([], url: "").code == .usage)
        #expect(calworker(["frobnicate"], url: "").code == .usage)
    }

    @Test func usageErrorsExitTwoAndSayWhatIsWrong() {
        let unknownOption = calworker(["queue", "--colour"], url: "")
        #expect(unknownOption.code == .usage && unknownOption.err.contains("unknown option --colour"))
        let badArgs = calworker(["enqueue", "noop", "--args", #"{"sleep_ms": "x"}"#], url: "host=/nonexistent")
        #expect(badArgs.code == .usage && badArgs.err.contains("sleep_ms"))
        let badKind = calworker(["enqueue", "sync_everything"], url: "host=/nonexistent")
        #expect(badKind.code == .usage && badKind.err.contains("unknown job kind"))
        let badDelay = calworker(["enqueue", "noop", "--in", "soon"], url: "host=/nonexistent")
        #expect(badDelay.code == .usage && badDelay.err.contains("--in"))
        let badState = calworker(["runs", "--state", "exploded"], url: "host=/nonexistent")
        #expect(badState.code == .usage)
    }

    @Test func anUnreachableDatabaseExitsThreeWithAHint() {
        let result = calworker(["queue"], url: "host=/nonexistent-dir port=5999 connect_timeout=2")
        #expect(result.code == .unavailable)
        #expect(result.err.contains("cannot reach PostgreSQL") && result.err.contains("hint:"))
    }

    @Test func aMissingSchemaExitsFourUntilMigrated() throws {
        let name = "cw_cli_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try PostgresConnection.connect(TestEnvironment.adminURL)
        try admin.execute("CREATE DATABASE \(name)")
        defer { _ = try? admin.execute("DROP DATABASE \(name) WITH (FORCE)") }
        let url = TestEnvironment.adminURL + " dbname=\(name)"
        let before = calworker(["queue"], url: url)
        #expect(before.code == .schema && before.err.contains("calworker migrate"))
        #expect(calworker(["migrate", "--status"], url: url).code == .schema)
        #expect(calworker(["migrate"], url: url).code == .ok)
        #expect(calworker(["migrate", "--status"], url: url).code == .ok)
        #expect(calworker(["queue"], url: url).code == .ok)
    }

    @Test func enqueueQueueRunsAndShowTellTheSameStory() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let enqueued = calworker(["enqueue", "noop", "--args", #"{"fail": "discard"}"#, "--queue", "mail", "--json"], url: database.url)
        #expect(enqueued.code == .ok)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(enqueued.out.utf8)) as? [String: Any])
        let id = try #require(report["id"] as? Int)
        #expect(report["duplicate"] as? Bool == false && report["queue"] as? String == "mail")
        // A duplicate names the queue of the job that holds the key, not the one asked for.
        let held = calworker(["enqueue", "noop", "--unique-key", "k-1", "--queue", "mail", "--json"], url: database.url)
        let again = calworker(["enqueue", "noop", "--unique-key", "k-1", "--queue", "ops", "--in", "1h", "--json"], url: database.url)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(held.out.utf8)) as? [String: Any])
        let duplicate = try #require(try JSONSerialization.jsonObject(with: Data(again.out.utf8)) as? [String: Any])
        #expect(duplicate["duplicate"] as? Bool == true && duplicate["id"] as? Int == first["id"] as? Int)
        #expect(duplicate["queue"] as? String == "mail" && duplicate["run_at"] as? String == first["run_at"] as? String, "\(again.out)")
        #expect(calworker(["enqueue", "noop", "--unique-key", "k-1", "--queue", "ops"], url: database.url).out.contains("on queue mail"))
        #expect(calworker(["cancel", String(first["id"] as? Int ?? 0)], url: database.url).code == .ok)

        let queue = calworker(["queue", "--json"], url: database.url)
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(queue.out.utf8)) as? [[String: Any]])
        #expect(counts.count == 1 && counts[0]["state"] as? String == "due" && counts[0]["count"] as? Int == 1)
        #expect(calworker(["queue"], url: database.url).out.contains("QUEUE"))

        let worked = calworker(["work", "--once", "--queues", "mail"], url: database.url)
        #expect(worked.code == .ok && worked.out.contains("discarded 1"))

        let runs = calworker(["runs", "--state", "discarded", "--since", "1h", "--json"], url: database.url)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(runs.out.utf8)) as? [[String: Any]])
        #expect(records.count == 1 && records[0]["job_id"] as? Int == id && records[0]["error"] as? String == "noop asked to be discarded")
        #expect(records.first?["figures"] is [String: Any], "figures are JSON, not a string of JSON: \(runs.out)")
        let detail = calworker(["runs", "show", String(id), "--json"], url: database.url)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(detail.out.utf8)) as? [String: Any])
        let job = try #require(shown["job"] as? [String: Any])
        #expect((job["args"] as? [String: Any])?["fail"] as? String == "discard", "args are JSON: \(detail.out)")
        #expect((shown["runs"] as? [[String: Any]])?.count == 1 && job["kind"] as? String == "noop")
        #expect(calworker(["runs", "--kind", "other"], url: database.url).out.contains("no run records match"))

        let show = calworker(["runs", "show", String(id)], url: database.url)
        #expect(show.code == .ok && show.out.contains("discarded") && show.out.contains("noop asked to be discarded"))
        #expect(calworker(["runs", "show", "987654"], url: database.url).code == .notFound)

        let retried = calworker(["retry", String(id)], url: database.url)
        #expect(retried.code == .ok && retried.out.contains("attempt 2 of 2"))
        let cancelled = calworker(["cancel", String(id)], url: database.url)
        #expect(cancelled.code == .ok && cancelled.out.contains("cancelled"))
        #expect(calworker(["cancel", String(id)], url: database.url).code == .failure)
        #expect(calworker(["retry", "424242"], url: database.url).code == .notFound)
    }

    @Test func uniqueKeysAndDelaysFromTheCommandLine() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let first = calworker(["enqueue", "noop", "--unique-key", "nightly", "--in", "10m"], url: database.url)
        #expect(first.code == .ok && first.out.contains("runs at"))
        let second = calworker(["enqueue", "noop", "--unique-key", "nightly"], url: database.url)
        #expect(second.code == .ok && second.out.contains("already queued or running"))
        let db = try database.connect()
        let job = try #require(try JobQueue().job(id: 1, on: db))
        #expect(job.runAt > Date().addingTimeInterval(500))
        #expect(try db.query("SELECT count(*) FROM calworker.jobs")[0].decode(Int.self, at: 0) == 1)
    }

    @Test func jobDefinitionFilesEnqueueAndBadOnesAreRefused() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-jobs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let good = folder.appendingPathComponent("smoke.json")
        try
            #"{"kind": "noop", "args": {"sleep_ms": 1}, "queue": "ops", "priority": -2, "unique_key": "smoke", "max_attempts": 3, "timeout": "30s", "schedule": "*/5 * * * *"}"#
            .write(to: good, atomically: true, encoding: .utf8)
        let result = calworker(["enqueue", "--file", good.path], url: database.url)
        #expect(result.code == .ok, "\(result.err)")
        let job = try #require(try JobQueue().job(id: 1, on: try database.connect()))
        #expect(job.queue == "ops" && job.priority == -2 && job.uniqueKey == "smoke" && job.maxAttempts == 3 && job.timeoutMs == 30_000)
        #expect(job.args == #"{"sleep_ms": 1}"#)
        let db = try database.connect()
        func fires(_ name: String) throws -> [Int64?] {
            try db.query("SELECT job_id FROM calworker.schedule_fires WHERE name = $1", [name]).map { try $0.decodeOptional(Int64.self, at: 0) }
        }
        // cron running a definition at its scheduled minute is that schedule's fire; a manual
        // enqueue of a definition without a schedule is none.
        let every = folder.appendingPathComponent("every-minute.json")
        try #"{"kind": "noop", "schedule": "* * * * *"}"#.write(to: every, atomically: true, encoding: .utf8)
        let fired = calworker(["enqueue", "--file", every.path, "--json"], url: database.url)
        #expect(fired.code == .ok, "\(fired.err)")
        let firedJob = try #require(try JSONSerialization.jsonObject(with: Data(fired.out.utf8)) as? [String: Any])["id"] as? Int
        #expect(try fires("every-minute") == [Int64(firedJob ?? 0)])
        let unscheduled = folder.appendingPathComponent("by-hand.json")
        try #"{"kind": "noop"}"#.write(to: unscheduled, atomically: true, encoding: .utf8)
        #expect(calworker(["enqueue", "--file", unscheduled.path], url: database.url).code == .ok)
        #expect(try fires("by-hand").isEmpty)

        let bad = folder.appendingPathComponent("bad.json")
        try #"{"args": {}}"#.write(to: bad, atomically: true, encoding: .utf8)
        let refused = calworker(["enqueue", "--file", bad.path], url: database.url)
        #expect(refused.code == .usage && refused.err.contains("missing field 'kind'"))
        #expect(calworker(["enqueue", "--file", "/no/such/file.json"], url: database.url).code == .usage)
    }

    @Test func aBackupTargetTheWorkerWouldRefuseIsRefusedAtEnqueue() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let environment = ["CALWORKER_MEDIA_ROOT": root.path]
        let outside = calworker(
            ["enqueue", "backup", "--args", #"{"target": "file:///etc/calworker-backups/"}"#], url: database.url, environment: environment)
        #expect(outside.code == .usage && outside.err.contains("outside the media root"), "\(outside.err)")
        let escaping = calworker(
            ["enqueue", "backup", "--args", #"{"target": "file://\#(root.path)/../elsewhere/"}"#], url: database.url,
            environment: environment)
        #expect(escaping.code == .usage, "`..` out of the root: \(escaping.err)")
        let noRoot = calworker(["enqueue", "backup", "--args", #"{"target": "file://\#(root.path)/backups/"}"#], url: database.url)
        #expect(noRoot.code == .usage && noRoot.err.contains("CALWORKER_MEDIA_ROOT"))
        let inside = calworker(
            ["enqueue", "backup", "--args", #"{"target": "file://\#(root.path)/backups/"}"#], url: database.url,
            environment: environment)
        #expect(inside.code == .ok, "\(inside.err)")
        #expect(try database.connect().query("SELECT count(*) FROM calworker.jobs")[0].decode(Int.self, at: 0) == 1, "only the good one")
    }

    @Test func configMasksSecretsWhereverTheyComeFrom() throws {
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("cw-secret-\(UUID().uuidString)")
        try "file-secret-value\n".write(to: secretFile, atomically: true, encoding: .utf8)
        let env = ["CALWORKER_GOOGLE_CLIENT_SECRET": "env-secret-value", "CALWORKER_TOKEN_KEY_FILE": secretFile.path]
        let url = "postgresql://worker:db-password-value@db.internal/calworker"  // scan: made-up test value
        for json in [false, true] {
            let result = calworker(["config"] + (json ? ["--json"] : []), url: url, environment: env)
            #expect(result.code == .ok)
            for secret in ["env-secret-value", "file-secret-value", "db-password-value"] {
                #expect(!result.out.contains(secret), "\(secret) leaked")
            }
            #expect(result.out.contains("file:\(secretFile.path)"))
        }
        #expect(Configuration.maskPassword(in: "host=x password='a b' user=y") == "host=x password=**** user=y")
        #expect(Configuration.maskPassword(in: "postgresql:///db?password=zz&user=u") == "postgresql:///db?password=****&user=u")
        let broken = calworker(["config"], url: "", environment: ["CALWORKER_LEASE": "forever"])
        #expect(broken.code == .unavailable && broken.err.contains("CALWORKER_LEASE"))
    }
}
