import Foundation
import Postgres
import TestSupport
import Testing

/// `calworker calendars policy` through the binary: refusals, a dry run that saves nothing,
/// and a change saved with the sync that applies it queued.
@Suite struct CalendarsPolicyCommandTests {
    @Test func policiesAreRefusedTriedAndSaved() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let account = try SeededOwner.add(owner: "owner-1", calendars: ["ada@example.com", "work@example.com"], synced: true, on: db)
        let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(2 * 86_400))
        try db.execute(
            """
            INSERT INTO calworker.events (account_id, calendar_id, event_id, status, summary, start_time, end_time, raw)
            VALUES ($1, 'ada@example.com', 'dentist01', 'confirmed', 'Dentist', $2::timestamptz, $2::timestamptz + interval '1 hour', '{}')
            """, [account, soon])
        func calworker(_ arguments: String...) throws -> (status: Int32, stdout: String, stderr: String) {
            try CalworkerProcess.run(
                ["calendars", "policy", "--owner", "owner-1"] + arguments, databaseURL: database.url,
                environment: ["CALWORKER_LOG_LEVEL": "warning"])
        }
        #expect(try calworker().stdout.contains("no policies"))
        let pair = ["--from", "ada@example.com", "--to", "work@example.com"]
        for bad in [
            ["--working-hours", "9-5"], ["--skip-title", "(unclosed"], ["--skip-all-day", "maybe"], ["--direction", "sideways"],
            ["--detail", "everything"],
        ] {
            let refused = try CalworkerProcess.run(["calendars", "policy", "--owner", "owner-1"] + pair + bad, databaseURL: database.url)
            #expect(refused.status == 2, "\(bad): \(refused)")
        }
        let stranger = try calworker("--from", "ada@example.com", "--to", "someone@example.com", "--direction", "none")
        #expect(stranger.status == 2 && stranger.stderr.contains("not a calendar owner-1 owns"), "\(stranger)")

        let dry = try CalworkerProcess.run(
            ["calendars", "policy", "--owner", "owner-1"] + pair + ["--detail", "title", "--dry-run", "--json"],
            databaseURL: database.url)
        #expect(dry.status == 0, "\(dry)")
        let plan = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any] ?? [:]
        let writes = plan["writes"] as? [[String: Any]] ?? []
        #expect(
            writes.count == 1 && writes.first?["action"] as? String == "insert" && writes.first?["calendar_id"] as? String == "work@example.com",
            "\(dry.stdout)")
        #expect(try db.query("SELECT count(*) FROM calworker.mirror_links")[0].decode(Int.self, at: 0) == 0, "a dry run saves nothing")
        #expect(try db.query("SELECT count(*) FROM calworker.jobs")[0].decode(Int.self, at: 0) == 0, "and queues nothing")

        let saved = try CalworkerProcess.run(
            ["calendars", "policy", "--owner", "owner-1"] + pair + [
                "--direction", "one-way", "--detail", "title-location",
                "--working-hours", "09:00-17:30", "--skip-title", "lunch", "--json",
            ], databaseURL: database.url)
        #expect(saved.status == 0, "\(saved)")
        #expect(
            try db.query("SELECT count(*) FROM calworker.jobs WHERE kind = 'sync_account'")[0].decode(Int.self, at: 0) == 1,
            "the sync that applies it")
        let listed = try calworker()
        #expect(
            listed.stdout.contains("title-location") && listed.stdout.contains("hours 09:00-17:30") && listed.stdout.contains("not /lunch/"),
            "\(listed.stdout)")
        let back = try db.query(
            """
            SELECT enabled FROM calworker.mirror_links WHERE source_calendar = 'work@example.com' AND target_calendar = 'ada@example.com'
            """)
        #expect(try back.first?.decode(Bool.self, at: 0) == false, "one way: the reverse link is off")
    }

    /// The probe's pattern and title: a backtracking engine ran for minutes on them.
    @Test func aPatternBuiltToBacktrackIsJudgedAtOnceAndBackreferencesAreRefused() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let account = try SeededOwner.add(owner: "owner-1", calendars: ["ada@example.com", "work@example.com"], synced: true, on: db)
        let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(2 * 86_400))
        for (id, title) in [("stall0001", String(repeating: "a", count: 300) + "!"), ("allaaaa01", String(repeating: "a", count: 300))] {
            try db.execute(
                """
                INSERT INTO calworker.events (account_id, calendar_id, event_id, status, summary, start_time, end_time, raw)
                VALUES ($1, 'ada@example.com', $2, 'confirmed', $3, $4::timestamptz, $4::timestamptz + interval '1 hour', '{}')
                """, [account, id, title, soon])
        }
        let pair = ["calendars", "policy", "--owner", "owner-1", "--from", "ada@example.com", "--to", "work@example.com"]
        let dry = try CalworkerProcess.run(pair + ["--skip-title", "(a+)+$", "--dry-run", "--json"], databaseURL: database.url, timeout: 60)
        #expect(dry.status == 0, "\(dry)")
        let plan = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any] ?? [:]
        let writes = plan["writes"] as? [[String: Any]] ?? []
        #expect(writes.count == 1, "only the title ending in '!' is mirrored; the one of a's alone matches and is skipped: \(dry.stdout)")
        for (pattern, reason) in [("(a)\\1", "backreferences"), ("(?=a)", "lookahead"), ("a{1001}", "at most 1000")] {
            let refused = try CalworkerProcess.run(pair + ["--skip-title", pattern], databaseURL: database.url)
            #expect(refused.status == 2 && refused.stderr.contains(reason), "\(pattern): \(refused)")
        }
    }
}
