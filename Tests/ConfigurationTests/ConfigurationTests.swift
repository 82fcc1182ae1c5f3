import Configuration
import Foundation
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsMakeALocalRunWork() throws {
        let configuration = try Configuration.load([:])
        #expect(configuration.lease == .seconds(30) && configuration.retryBase == .seconds(15))
        #expect(configuration.databaseStatementTimeout == .seconds(60) && configuration.databaseLockTimeout == .seconds(10))
        #expect(configuration.googleRequestsPerMinute == 500 && configuration.logFormat == "json")
    }

    @Test(arguments: [
        ("CALWORKER_REAUTH_URL", "javascript:alert(1)"), ("CALWORKER_REAUTH_URL", "ftp://x/{account_id}"),
        ("CALWORKER_ALERT_SYNC_FAILURES", "0"), ("CALWORKER_ALERT_SYNC_FAILURES", "99999999999999999999"),
        ("CALWORKER_ALERT_SYNC_FAILURES", "-3"), ("CALWORKER_ALERT_SYNC_STALE", "0s"), ("CALWORKER_ALERT_SYNC_STALE", "31d"),
    ])
    func alertAndNoticeSettingsOutOfRangeAreRefusedByName(variable: String, value: String) {
        do {
            _ = try Configuration.load([variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.description.hasPrefix(variable), "\(error)")
        }
    }

    @Test func mailWithoutTLSIsAllowedToALoopbackRelayOnly() throws {
        let local = try Configuration.load(["CALWORKER_SMTP_URL": "smtp://127.0.0.1:25", "CALWORKER_SMTP_TLS": "none"])
        #expect(local.smtpTLS == "none")
        #expect(try Configuration.load([:]).smtpTLS == "required")
        for (url, tls) in [("smtp://mail.example.com:25", "none"), ("smtps://127.0.0.1:465", "none"), ("smtp://127.0.0.1:25", "off")] {
            #expect(throws: ConfigurationError.self, "\(url) \(tls)") {
                try Configuration.load(["CALWORKER_SMTP_URL": url, "CALWORKER_SMTP_TLS": tls])
            }
        }
    }

    @Test func aSecretComesFromItsFileAndIsMaskedWhereverItComesFrom() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cw-config-\(UUID().uuidString)")
        try "from-a-file-secret\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try Configuration.load([
            "CALWORKER_GOOGLE_CLIENT_SECRET_FILE": file.path,
            "CALWORKER_DATABASE_URL": "postgresql://u:db-secret@host/db",
            "CALWORKER_BACKUP_DATABASE_URL": "host=db user=calworker_backup password='b a/ck'",
        ])
        #expect(configuration.googleClientSecret == "from-a-file-secret")
        let shown = configuration.maskedEntries
        #expect(shown.first { $0.name == "CALWORKER_GOOGLE_CLIENT_SECRET" }?.value == "****")
        #expect(shown.first { $0.name == "CALWORKER_GOOGLE_CLIENT_SECRET" }?.source == "file:\(file.path)")
        #expect(shown.first { $0.name == "CALWORKER_DATABASE_URL" }?.value == "postgresql://u:****@host/db")
        #expect(shown.first { $0.name == "CALWORKER_BACKUP_DATABASE_URL" }?.value == "host=db user=calworker_backup password=****")
    }

    @Test(arguments: [
        ("CALWORKER_LEASE", "2d"), ("CALWORKER_LEASE", "0s"), ("CALWORKER_RETRY_CAP", "31d"),
        ("CALWORKER_DATABASE_CONNECT_TIMEOUT", "1s"), ("CALWORKER_GOOGLE_REQUESTS_PER_MINUTE", "0"),
        ("CALWORKER_LOG_LEVEL", "loud"), ("CALWORKER_MEDIA_ROOT", "relative/path"), ("CALWORKER_SCHEDULE_TIME_ZONE", "Mars/Olympus"),
        ("CALWORKER_PUSH_URL", "http://calendar.example.com/push"), ("CALWORKER_PUSH_URL", "ftp://127.0.0.1/push"),
        ("CALWORKER_PUSH_URL", "not a url"), ("CALWORKER_PUSH_SAFETY_POLL", "10s"), ("CALWORKER_PUSH_SAFETY_POLL", "99999999999d"),
        ("CALWORKER_GOOGLE_PROJECT_REQUESTS_PER_MINUTE", "-1"),
        ("CALWORKER_GOOGLE_PROJECT_REQUESTS_PER_MINUTE", "99999999999999999999"),
        ("CALWORKER_HISTORY_RETENTION", "1h"), ("CALWORKER_HISTORY_RETENTION", "99999999999d"),
        ("CALWORKER_CONSOLE_SECURE_COOKIES", "yes"), ("CALWORKER_ALERT_DISCARD_PERCENT", "0"),
        ("CALWORKER_ALERT_DISCARD_PERCENT", "101"), ("CALWORKER_ALERT_DISCARD_PERCENT", "99999999999999999999"),
        ("CALWORKER_ALERT_DISCARD_WINDOW", "1m"), ("CALWORKER_ALERT_DISCARD_WINDOW", "2d"),
        ("CALWORKER_ALERT_WORKERS_GONE", "10s"), ("CALWORKER_ALERT_WORKERS_GONE", "99999999999d"),
        ("CALWORKER_FEEDS_TARGET", "https://cdn.example.com/feeds/"), ("CALWORKER_FEEDS_TARGET", "relative/feeds"),
        ("CALWORKER_FEEDS_TARGET", "file://host/feeds/"), ("CALWORKER_FEEDS_URL", "ftp://example.com/feeds/"),
        ("CALWORKER_FEEDS_URL", "javascript:alert(1)"),
    ])
    func anUnusableValueIsRefusedNamingTheVariable(name: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try Configuration.load([name: value]) }
        #expect(error?.name == name)
    }

    @Test func pushIsOffUntilAReceiverURLIsGivenAndLoopbackMayBePlainHTTP() throws {
        let off = try Configuration.load([:])
        #expect(off.pushURL.isEmpty && off.pushSafetyPoll == .seconds(3600) && off.googleProjectRequestsPerMinute == 9000)
        let publicURL = try Configuration.load([
            "CALWORKER_PUSH_URL": "https://calendar.example.com/push/google", "CALWORKER_PUSH_SAFETY_POLL": "30m",
        ])
        #expect(publicURL.pushURL == "https://calendar.example.com/push/google" && publicURL.pushSafetyPoll == .seconds(1800))
        #expect(try Configuration.load(["CALWORKER_PUSH_URL": "http://127.0.0.1:9464/push/google"]).pushURL.hasPrefix("http://127.0.0.1"))
        #expect(try Configuration.load(["CALWORKER_GOOGLE_PROJECT_REQUESTS_PER_MINUTE": "0"]).googleProjectRequestsPerMinute == 0)
    }

    @Test(arguments: [
        ("postgresql://u:p@ss@host/db", "postgresql://u:****@host/db"),
        ("host=x password='a b' user=y", "host=x password=**** user=y"),
        ("postgresql:///db?password=zz&user=u", "postgresql:///db?password=****&user=u"),
    ])
    func passwordsAreMaskedInEveryShapeOfConnectionString(url: String, masked: String) {
        #expect(Configuration.maskPassword(in: url) == masked)
    }
}
