import Console
import Foundation
import HTTPServer
import JobQueue
import Jobs
import Logging
import Postgres
import TestSupport
import Testing
import Worker

/// The console in a real browser: Debian's chromium, headless, driven by Selenium
/// (`Browser/console_browser.py`), against the console serving a real database over loopback.
/// Screenshots of the main pages land in `.build/console-screenshots/`.
@Suite struct ConsoleBrowserTests {
    @Test func anOperatorAndAReaderUseTheConsoleInABrowserAndNoHostileValueRuns() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let account: Int64 = try db.query(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token)
            VALUES ('<img src=x onerror="window.__pwned_img=1">@example.com', 'o', 'k', '\\x00') RETURNING id
            """)[0].decode(at: 0)
        let hostile =
            #"{"account_id": \#(account), "note": "<script>window.__pwned=1</script>", "img": "<img src=x onerror=\"window.__pwned_img=1\">"}"#
        let job: Int64 = try db.query(
            """
            INSERT INTO calworker.jobs (kind, args, state, attempt, max_attempts, finished_at, last_error, subject)
            VALUES ('sync_account', $1::jsonb, 'discarded', 3, 3, now(), '<script>window.__pwned=1</script>', $2) RETURNING id
            """, [hostile, "account:\(account)"])[0].decode(at: 0)
        let other: Int64 = try db.query(
            """
            INSERT INTO calworker.jobs (kind, args, state, attempt, max_attempts, finished_at, subject)
            VALUES ('sync_account', '{"account_id": 999}', 'discarded', 1, 1, now(), 'account:999') RETURNING id
            """)[0].decode(at: 0)
        for _ in 1...5 {
            try db.execute(
                "INSERT INTO calworker.jobs (kind, queue, state, attempt, max_attempts, finished_at) VALUES ('noop', 'lane', 'discarded', 1, 1, now())"
            )
        }
        _ = try JobQueue().moveFinished(batch: 10, on: db)
        _ = try JobQueue().enqueueMany((0..<3).map { _ in NewJob(kind: "noop", runAt: Date().addingTimeInterval(3600)) }, on: db)

        let operatorToken = "browser-operator-token-0123456789"
        let readerToken = "browser-reader-token-0123456789"
        let app = try ConsoleApp(
            tokens: try ConsoleTokens(operatorToken: operatorToken, readOnlyToken: readerToken),
            pool: ConnectionPool(url: database.url, size: 2, purpose: "the console"))
        let server = try HTTPServer(address: "127.0.0.1:0") { app.respond(to: $0) }
        server.start()
        defer { server.stop() }

        // A worker serving the lane, for the browser to pause and watch.
        var options = WorkerOptions()
        options.queues = ["lane"]
        options.concurrency = 2
        options.pollInterval = .milliseconds(200)
        let worker = Worker(databaseURL: database.url, registry: JobKinds.registry(), queue: JobQueue(), options: options, logger: .disabled)
        let stopped = DispatchSemaphore(value: 0)
        Thread {
            _ = try? worker.run()
            stopped.signal()
        }.start()
        defer {
            worker.requestStop()
            _ = stopped.wait(timeout: .now() + 60)
        }
        #expect(eventually(timeout: 30) { (try? db.query("SELECT count(*) FROM calworker.workers")[0].decode(Int.self, at: 0)) == 1 })

        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/ConsoleTests/Browser/console_browser.py").path
        let shots = TestEnvironment.packageRoot.appendingPathComponent(".build/console-screenshots").path
        #expect(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
            "the browser tests need Debian's chromium and chromium-driver (scripts/setup-deps installs them)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, "http://127.0.0.1:\(server.port)", operatorToken, readerToken, shots, String(job), String(account)]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(420)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "the browser script failed: \(stderr.suffix(3000))")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "\(stdout)")

        #expect(seen["logged_in_heading"] as? String == "Overview")
        #expect((seen["filtered_url"] as? String)?.contains("account=\(account)") == true, "a filtered view is a URL")
        #expect(seen["filtered_jobs"] as? [String] == [String(job)], "only the account's runs: \(seen)")
        #expect(seen["job_script_ran"] as? [Bool] == [false, false], "no markup from the args or the error ran")
        #expect((seen["job_args_text"] as? String)?.contains("<script>window.__pwned=1</script>") == true, "it shows as text")
        #expect(seen["after_retry_state"] as? String == "available", "the retry shows on the job's page")
        #expect((seen["bulk_preview"] as? String)?.contains("cancel would act on 3 job(s)") == true, "\(seen)")
        #expect((seen["bulk_done"] as? String)?.contains("acted on 3 job(s)") == true)
        #expect((seen["lane_paused"] as? [String])?.first == "lane paused", "\(seen)")
        #expect((seen["lane_retried"] as? String)?.contains("acted on 5 job(s)") == true)
        #expect(seen["live_toggle_before"] as? String == "Live: off" && seen["live_toggle_after"] as? String == "Live: on")
        let whilePaused = (seen["lane_while_paused"] as? [[String]])?.map { Array($0.dropFirst()) }
        #expect(whilePaused == [["5", "0", "0"], ["5", "0", "0"]], "due, scheduled, running at two live refreshes: nothing claimed: \(seen)")
        #expect((seen["lane_after_resume"] as? [String])?.first == "lane", "resumed: \(seen)")
        #expect(seen["drained_without_reload"] as? Bool == true, "the live refresh showed the drained lane without a reload")
        let resumedAt: Date = try db.query("SELECT max(at) FROM calworker.audit WHERE action = 'queue.resume'")[0].decode(at: 0)
        let laneRuns = try db.query(
            """
            SELECT count(*), min(started_at) FROM calworker.job_runs WHERE queue = 'lane' AND outcome = 'completed'
            """)[0]
        #expect(try laneRuns.decode(Int.self, at: 0) == 5, "the worker ran the lane's jobs once resumed")
        #expect(try laneRuns.decode(Date.self, at: 1) >= resumedAt, "and none before")
        #expect(seen["reader_buttons"] as? [String] == ["Log out"], "a reader is offered no action")
        #expect(seen["reader_post_status"] as? Int == 403, "and one posted anyway is refused")
        #expect(seen["accounts_script_ran"] as? [Bool] == [false, false])
        #expect(try JobQueue().job(id: job, on: db)?.state == .available, "the reader's cancel changed nothing")
        #expect(try JobQueue().job(id: other, on: db)?.state == .discarded)
        for page in ["overview", "runs", "job", "bulk", "overview-paused", "accounts"] {
            #expect(FileManager.default.fileExists(atPath: "\(shots)/\(page).png"), "screenshot \(page)")
        }
    }
}
