import Foundation
import Postgres
import TestSupport
import Testing

/// `calworker feeds` through the binary, against a file target: addresses, rotation, deletion,
/// refusals, and the `ics_export` job a worker runs.
@Suite struct FeedsCommandTests {
    @Test func createListRotateDeleteAndExport() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let account = try SeededOwner.add(owner: "user-1", calendars: ["ada@example.com"], on: db)
        try db.execute(
            """
            INSERT INTO calworker.events (account_id, calendar_id, event_id, status, raw) VALUES ($1, 'ada@example.com', 'e1', 'confirmed',
              '{"id": "e1", "iCalUID": "e1@google.com", "summary": "Dentist; then lunch", "start": {"dateTime": "2026-12-07T09:00:00+01:00"},
                "end": {"dateTime": "2026-12-07T10:00:00+01:00"}, "description": "bring the card"}')
            """, [account])
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-feedscli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/feeds", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let environment = [
            "CALWORKER_MEDIA_ROOT": root, "CALWORKER_FEEDS_TARGET": "file://\(root)/feeds/",
            "CALWORKER_FEEDS_URL": "https://cal.example.com/feeds", "CALWORKER_LOG_LEVEL": "warning",
        ]
        func calworker(_ arguments: [String], _ extra: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
            try CalworkerProcess.run(arguments, databaseURL: database.url, environment: environment.merging(extra) { $1 })
        }
        func files() -> Set<String> { Set((try? FileManager.default.contentsOfDirectory(atPath: root + "/feeds")) ?? []) }

        let noTarget = try CalworkerProcess.run(["feeds", "create", "--owner", "user-1"], databaseURL: database.url)
        #expect(noTarget.status == 2 && noTarget.stderr.contains("CALWORKER_FEEDS_TARGET"), "\(noTarget)")
        for bad in [
            ["--owner", "nobody"], ["--owner", "user-1", "--detail", "everything"], ["--owner", "user-1", "--account", "1"],
            ["--owner", "user-1", "--account", "x", "--calendar", "y"], ["--owner", "user-1", "--attendees"],
        ] {
            let refused = try calworker(["feeds", "create"] + bad)
            #expect(refused.status == 2, "\(bad): \(refused)")
        }
        #expect(files().isEmpty)

        let created = try calworker(["feeds", "create", "--owner", "user-1", "--detail", "full", "--json"])
        #expect(created.status == 0, "\(created)")
        let report = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: String] ?? [:]
        let url = try #require(report["url"])
        #expect(url.hasPrefix("https://cal.example.com/feeds/") && url.hasSuffix(".ics") && report["events"] == "1", "\(report)")
        let object = String(url.split(separator: "/").last!)
        #expect(files() == [object])
        let text = try String(contentsOfFile: root + "/feeds/" + object, encoding: .utf8)
        #expect(text.contains("SUMMARY:Dentist\\; then lunch\r\n") && text.contains("DESCRIPTION:bring the card\r\n"))

        let listed = try calworker(["feeds", "list", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(rows.count == 1 && rows.first?["url"] as? String == url && rows.first?["token"] == nil, "\(listed.stdout)")
        #expect(try calworker(["feeds", "list"]).stdout.contains(url))
        let id = String(rows.first?["id"] as? Int ?? 0)

        let rotated = try calworker(["feeds", "rotate", id, "--json"])
        let newURL = (try JSONSerialization.jsonObject(with: Data(rotated.stdout.utf8)) as? [String: String])?["url"] ?? ""
        #expect(rotated.status == 0 && newURL != url && files() == [String(newURL.split(separator: "/").last!)], "the old object is gone: \(files())")

        // The scheduled export: nothing changed, nothing rendered.
        #expect(try calworker(["enqueue", "ics_export"]).status == 0)
        #expect(try calworker(["work", "--once"]).status == 0)
        let runs = try calworker(["runs", "--kind", "ics_export", "--json"])
        let figures = (try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])?.first?["figures"] as? [String: Any]
        #expect(
            figures?["feeds"] as? Int == 1 && figures?["feeds_skipped"] as? Int == 1 && figures?["orphans_removed"] as? Int == 0, "\(runs.stdout)")

        #expect(try calworker(["feeds", "delete", id]).status == 0)
        let emptied = try calworker(["feeds", "list"])
        #expect(files().isEmpty && emptied.stdout.contains("no feeds yet"), "\(emptied)")
        #expect(try calworker(["feeds", "rotate", id]).status == 5, "a feed that is gone: not found")
    }

    /// A feed is never deleted while its object stays published, and a target that cannot be
    /// used is named with its reason wherever it matters: the commands and the export job.
    @Test func deletingNeedsAUsableTargetAndABadTargetIsNamedWithItsReason() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        _ = try SeededOwner.add(owner: "user-1", calendars: ["ada@example.com"], on: db)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-feedsdel-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/feeds", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let usable = ["CALWORKER_MEDIA_ROOT": root, "CALWORKER_FEEDS_TARGET": "file://\(root)/feeds/"]
        func calworker(_ arguments: [String], _ environment: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try CalworkerProcess.run(arguments, databaseURL: database.url, environment: environment)
        }
        let created = try calworker(["feeds", "create", "--owner", "user-1", "--json"], usable)
        let id = String((try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: String])?["id"] ?? "0")
        func feeds() throws -> Int { try db.query("SELECT count(*) FROM calworker.feeds")[0].decode(Int.self, at: 0) }

        let noTarget = try calworker(["feeds", "delete", id], [:])
        #expect(noTarget.status == 2 && noTarget.stderr.contains("CALWORKER_FEEDS_TARGET"), "\(noTarget)")
        let bucket = try calworker(["feeds", "delete", id], ["CALWORKER_FEEDS_TARGET": "s3://My_Bucket/feeds/"])
        #expect(bucket.status == 3 && bucket.stderr.contains("not an S3 bucket name"), "the real reason, not 'no target': \(bucket)")
        let unreachable = try calworker(
            ["feeds", "delete", id],
            [
                "CALWORKER_FEEDS_TARGET": "s3://feeds-bucket/feeds/", "CALWORKER_S3_ENDPOINT": "http://127.0.0.1:1",
                "CALWORKER_S3_ACCESS_KEY_ID": "AKIDEXAMPLE", "CALWORKER_S3_SECRET_ACCESS_KEY": "secret-example",
            ])
        #expect(unreachable.status == 1 && unreachable.stderr.contains("still works"), "\(unreachable)")
        #expect(try feeds() == 1, "no refusal deleted the feed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/feeds").count == 1, "and its object is still there")

        // The export job meets the same bad target and says why.
        #expect(try calworker(["enqueue", "ics_export"], usable).status == 0)
        #expect(try calworker(["work", "--once"], ["CALWORKER_FEEDS_TARGET": "s3://My_Bucket/feeds/"]).status == 0)
        let run = try calworker(["runs", "--kind", "ics_export", "--json"], [:])
        let error = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])?.first?["error"] as? String ?? ""
        #expect(error.contains("CALWORKER_FEEDS_TARGET cannot be used") && error.contains("not an S3 bucket name"), "\(run.stdout)")

        let deleted = try calworker(["feeds", "delete", id], usable)
        #expect(deleted.status == 0, "\(deleted)")
        #expect(try feeds() == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/feeds").isEmpty)
    }
}
