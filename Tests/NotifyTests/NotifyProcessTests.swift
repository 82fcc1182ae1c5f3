import Foundation
import JobQueue
import Postgres
import TestSupport
import Testing

/// The notify job and command through the real binary.
@Suite struct NotifyProcessTests {
    func environment(_ fixture: NotifyFixture) -> [String: String] {
        [
            "CALWORKER_SMTP_URL": fixture.smtp.url, "CALWORKER_SMTP_USERNAME": SMTPTestServer.username,
            "CALWORKER_SMTP_PASSWORD": SMTPTestServer.password, "CALWORKER_SMTP_CA_FILE": fixture.smtp.certificate,
            "CALWORKER_SMTP_FROM": "Calendar <calendar@example.com>", "CALWORKER_LEASE": "1s", "CALWORKER_RETRY_BASE": "10ms",
            "CALWORKER_NOTIFY_CLAIM_TIMEOUT": "2s", "CALWORKER_LOG_FORMAT": "text",
        ]
    }

    @Test func workersKilledMidSendLoseNoReminderAndSendNoneUnderTwoIDs() throws {
        // The server takes 0.4 s per message, so a kill lands between claims, sends and marks.
        let fixture = try NotifyFixture(now: Date(), smtpDelay: 0.4)
        let soon = Date().addingTimeInterval(10 * 60)
        for index in 0..<8 {
            try fixture.event(
                "kill\(index)000", start: ISO8601DateFormatter().string(from: soon.addingTimeInterval(Double(index) * 60)),
                summary: "Meeting \(index)")
        }
        var generator = SystemRandomNumberGenerator()
        func pending() throws -> Int {
            try fixture.db.query("SELECT count(*) FROM calworker.jobs WHERE kind = 'notify' AND state <> 'completed'")[0].decode(at: 0)
        }
        for _ in 0..<4 {
            _ = try JobQueue().enqueue(NewJob(kind: "notify", args: #"{"reminders": true}"#, uniqueKey: "notify:reminders"), on: fixture.db)
            let worker = try CalworkerProcess(["work", "--once"], databaseURL: fixture.database.url, environment: environment(fixture))
            Thread.sleep(forTimeInterval: Double.random(in: 0.3...2.0, using: &generator))
            worker.signal(SIGKILL)
            worker.wait(timeout: 10)
            Thread.sleep(forTimeInterval: 2.2)  // job lease and message claims run out
        }
        for _ in 0..<10 {
            _ = try JobQueue().enqueue(NewJob(kind: "notify", args: #"{"reminders": true}"#, uniqueKey: "notify:reminders"), on: fixture.db)
            let run = try CalworkerProcess.run(["work", "--once"], databaseURL: fixture.database.url, environment: environment(fixture))
            #expect(run.status == 0, "\(run.stderr)")
            let sent: Int = try fixture.db.query("SELECT count(*) FROM calworker.notifications WHERE state = 'sent'")[0].decode(at: 0)
            if sent == 8, try pending() == 0 { break }
            Thread.sleep(forTimeInterval: 2.2)
        }
        let received = fixture.smtp.received()
        let ids = received.compactMap { $0.header("Message-ID") }
        let subjects = Set(received.compactMap { $0.header("Subject") })
        #expect(subjects.count == 8, "every reminder arrived: \(subjects.sorted())")
        #expect(Set(ids).count == 8, "each under one Message-ID (a resend after a kill reuses it): \(ids.count) messages, \(Set(ids).count) ids")
        let rows: Int = try fixture.db.query("SELECT count(*) FROM calworker.notifications WHERE state = 'sent'")[0].decode(at: 0)
        #expect(rows == 8)
    }

    @Test func settingsPreviewAndAlertFromTheCommandLine() throws {
        let fixture = try NotifyFixture(now: Date())
        let soon = Date().addingTimeInterval(3 * 3600)
        try fixture.event("dentist1", start: ISO8601DateFormatter().string(from: soon), summary: "Dentist <Dr. Ö>")
        func calworker(_ arguments: String...) throws -> (status: Int32, stdout: String, stderr: String) {
            try CalworkerProcess.run(arguments, databaseURL: fixture.database.url, environment: environment(fixture))
        }
        let set = try calworker("notify", "settings", "--owner", "user-1", "--lead", "45", "--time-zone", "Europe/Berlin", "--quiet", "22:00-07:00")
        #expect(set.status == 0 && set.stdout.contains("user-1") && set.stdout.contains("45m") && set.stdout.contains("22:00-07:00"), "\(set.stdout)")
        let json = try calworker("notify", "settings", "--json")
        #expect(json.stdout.contains(#""lead_minutes" : "45""#) || json.stdout.contains(#""lead_minutes": "45""#), "\(json.stdout)")
        #expect(try calworker("notify", "settings", "--owner", "user-1", "--channel", "pigeon").status == 2)
        #expect(try calworker("notify", "settings", "--owner", "user-1", "--time-zone", "Mars/Olympus").status == 2)
        let preview = try calworker("notify", "preview", "--event", "dentist1")
        #expect(
            preview.status == 0 && preview.stdout.contains("Subject: Dentist <Dr. Ö> starts in 45 minutes")
                && preview.stdout.contains("To: ada@example.com"), "\(preview.stdout)\(preview.stderr)")
        #expect(fixture.smtp.received().isEmpty, "a preview sends nothing")
        #expect(try calworker("notify", "preview", "--event", "nothing").status == 5)
        let alert = try calworker("notify", "alert", "--subject", "restore drill due", "--detail", "quarterly")
        #expect(alert.status == 0 && alert.stdout.contains("next digest"))
        #expect(try calworker("notify", "--help").stdout.contains("notify preview --event ID"))
    }
}

/// The generated crontab's `notify check`, run the way cron runs it: with the crontab's own
/// variables and nothing else. It once had only the database URL there, raised the alert it
/// could not send, and exited 0.
@Suite struct CronEnvironmentTests {
    /// The crontab's variable lines and the `notify check` line's arguments, for a host whose
    /// settings file is `environmentFile`.
    static func crontab(environmentFile: String, databaseURL: String) throws -> (variables: [String: String], check: [String]) {
        let exported = try CalworkerProcess.run(
            ["schedule", "export", "--format", "crontab", "--env-file", environmentFile], databaseURL: databaseURL)
        try #require(exported.status == 0, "\(exported.stderr)")
        var variables: [String: String] = [:]
        var check: [String] = []
        for line in exported.stdout.split(separator: "\n").map(String.init) where !line.hasPrefix("#") {
            if let equals = line.firstIndex(of: "="), !line.contains(" ") {
                variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
            } else if line.hasSuffix(" notify check") {
                // minute hour day month weekday user binary arguments...
                check = Array(line.split(separator: " ").map(String.init).dropFirst(7))
            }
        }
        try #require(check == ["notify", "check"], "the crontab runs notify check: \(exported.stdout)")
        // What cron itself adds to a job's environment.
        variables["HOME"] = "/tmp"
        variables["LOGNAME"] = "calworker"
        return (variables, check)
    }

    @Test func notifyCheckFromCronReadsTheUnitsSettingsAndTheDigestArrives() throws {
        let fixture = try NotifyFixture(now: Date())
        let settings = FileManager.default.temporaryDirectory.appendingPathComponent("cw-env-\(UUID().uuidString).env").path
        defer { try? FileManager.default.removeItem(atPath: settings) }
        try """
        # /etc/calworker/calworker.env: read by the systemd units and, through CALWORKER_ENV_FILE, by cron's lines
        CALWORKER_DATABASE_URL="\(fixture.database.url)"
        CALWORKER_SMTP_URL=\(fixture.smtp.url)
        CALWORKER_SMTP_USERNAME=\(SMTPTestServer.username)
        CALWORKER_SMTP_PASSWORD='\(SMTPTestServer.password)'
        CALWORKER_SMTP_CA_FILE=\(fixture.smtp.certificate)
        CALWORKER_SMTP_FROM="Calendar <calendar@example.com>"
        CALWORKER_ALERT_EMAIL=ops@example.com
        """.write(toFile: settings, atomically: true, encoding: .utf8)
        let (cron, check) = try Self.crontab(environmentFile: settings, databaseURL: fixture.database.url)
        #expect(cron["CALWORKER_ENV_FILE"] == settings && cron["CALWORKER_DATABASE_URL"] == nil, "the crontab names the file, not the settings")
        try fixture.db.execute("INSERT INTO calworker.alerts (key, subject, detail) VALUES ('disk', 'Disk nearly full on db-1', '')")
        let run = try CalworkerProcess.run(check, exactEnvironment: cron)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let digest = try #require(fixture.smtp.received().first, "the digest arrived")
        #expect(digest.to == ["ops@example.com"] && digest.text.contains("Disk nearly full on db-1"))

        // A host whose file has no way to send: the alert waits, and cron's job says so.
        try "CALWORKER_DATABASE_URL=\"\(fixture.database.url)\"\n".write(toFile: settings, atomically: true, encoding: .utf8)
        try fixture.db.execute("INSERT INTO calworker.alerts (key, subject, detail) VALUES ('cpu', 'CPU at 100% on db-1', '')")
        try fixture.db.execute("DELETE FROM calworker.notifications")  // no digest within the interval holds this one back
        let unsent = try CalworkerProcess.run(check, exactEnvironment: cron)
        #expect(unsent.status == 1 && unsent.stdout.contains("no recipient is configured"), "\(unsent.stdout)\(unsent.stderr)")
        // A file cron cannot read is a configuration error, not a silent success.
        var missing = cron
        missing["CALWORKER_ENV_FILE"] = settings + ".gone"
        let unread = try CalworkerProcess.run(check, exactEnvironment: missing)
        #expect(unread.status == 3 && unread.stderr.contains("CALWORKER_ENV_FILE"), "\(unread.stderr)")
    }
}
