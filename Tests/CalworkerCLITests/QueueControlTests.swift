import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// `queue pause|resume`, `audit`, and the paused queue in `queue`, `status` and the metrics,
/// through the real binary.
@Suite struct QueueControlTests {
    @Test func pausingShowsEverywhereAndEveryActionIsAudited() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let job = try JobQueue().enqueue(NewJob(kind: "noop", queue: "mail"), on: db).id
        let env = ["USER": "ada"]

        let pause = try CalworkerProcess.run(["queue", "pause", "mail", "--reason", "SMTP relay down"], databaseURL: database.url, environment: env)
        #expect(pause.status == 0 && pause.stdout.contains("queue mail paused"), "\(pause.stderr)")
        let again = try CalworkerProcess.run(["queue", "pause", "mail"], databaseURL: database.url, environment: env)
        #expect(again.status == 0 && again.stdout.contains("paused already"))
        let listing = try CalworkerProcess.run(["queue"], databaseURL: database.url)
        #expect(listing.stdout.contains("mail (paused)") && listing.stdout.contains("SMTP relay down") && listing.stdout.contains("ada@"))
        let rows = try #require(
            try JSONSerialization.jsonObject(with: Data(CalworkerProcess.run(["queue", "--json"], databaseURL: database.url).stdout.utf8))
                as? [[String: Any]])
        #expect(rows.first?["paused"] as? Bool == true)
        let status = try CalworkerProcess.run(["status"], databaseURL: database.url)
        #expect(status.stdout.contains("mail (paused)"))
        let metrics = try CalworkerProcess.run(["metrics"], databaseURL: database.url)
        #expect(ExpositionSamples(metrics.stdout).value("calworker_queue_paused", ["queue": "mail"]) == 1)

        #expect(try CalworkerProcess.run(["cancel", String(job)], databaseURL: database.url, environment: env).status == 0)
        #expect(try CalworkerProcess.run(["retry", String(job)], databaseURL: database.url, environment: env).status == 0)
        #expect(try CalworkerProcess.run(["queue", "resume", "mail"], databaseURL: database.url, environment: env).status == 0)
        let missing = try CalworkerProcess.run(["cancel", "999999"], databaseURL: database.url, environment: env)
        #expect(missing.status != 0, "a failed action is not audited")
        // One rule for a queue's name, wherever it enters: what enqueue refuses, pause, resume
        // and work refuse too (once pause took '..', 'a/b' and 'default ' with its space).
        for name in [String(repeating: "q", count: 65), "..", "a/b", "default ", "", "quë", "a;b"] {
            // (`--queues` is a list: spaces around its names separate, as in "sync, mail".)
            let work = ["work", "--once", "--queues", name.trimmingCharacters(in: .whitespaces) == name ? name : "a/b"]
            for command in [["queue", "pause", name], ["queue", "resume", name], ["enqueue", "noop", "--queue", name], work] {
                let refused = try CalworkerProcess.run(command, databaseURL: database.url)
                #expect(refused.status == 2, "\(command): \(refused.stderr)")
            }
        }

        let audit = try CalworkerProcess.run(["audit", "--json"], databaseURL: database.url)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [[String: Any]])
        #expect(
            entries.compactMap { $0["action"] as? String } == ["queue.resume", "retry", "cancel", "queue.pause"],
            "newest first, the repeated pause and the failed cancel not recorded: \(audit.stdout)")
        #expect(entries.allSatisfy { ($0["actor"] as? String ?? "").hasPrefix("ada@") && $0["origin"] as? String == "cli" })
        #expect(entries.first { $0["action"] as? String == "cancel" }?["target"] as? String == #"{"job": "\#(job)"}"#)
        let table = try CalworkerProcess.run(["audit"], databaseURL: database.url)
        #expect(table.status == 0 && table.stdout.contains("queue.pause"))
    }
}
