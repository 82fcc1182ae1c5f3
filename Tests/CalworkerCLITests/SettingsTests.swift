import CalworkerCLI
import Foundation
import Testing

/// Every module's settings as the command line reads them: one reader, one listing, and a bad
/// value anywhere stops any command naming its variable.
@Suite struct SettingsTests {
    func listed(_ environment: [String: String]) throws -> [String: (value: String, source: String)] {
        let result = calworker(["config", "--json"], url: "", environment: environment)
        #expect(result.code == .ok, "\(result.err)")
        let entries = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: Any]] ?? []
        var byName: [String: (String, String)] = [:]
        for entry in entries {
            if let name = entry["name"] as? String { byName[name] = (entry["value"] as? String ?? "", entry["source"] as? String ?? "") }
        }
        return byName
    }

    /// The reference lists what `calworker config` lists: a variable a module reads but the
    /// reference leaves out (or one documented but read nowhere) fails here.
    @Test func configListsEveryDocumentedVariable() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/configuration.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let regex = try NSRegularExpression(pattern: "CALWORKER_[A-Z0-9_]+[A-Z0-9]")
        var documented = Set(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) })
        // `NAME_FILE` is NAME's file form (CALWORKER_SMTP_CA_FILE is a variable of its own).
        documented = documented.filter { !($0.hasSuffix("_FILE") && documented.contains(String($0.dropLast(5)))) && $0 != "CALWORKER_ENV_FILE" }
        let names = Set(try listed([:]).keys)
        #expect(names.count > 50)
        #expect(documented.subtracting(names).isEmpty, "documented, read nowhere: \(documented.subtracting(names).sorted())")
        #expect(names.subtracting(documented).isEmpty, "read, undocumented: \(names.subtracting(documented).sorted())")
    }

    @Test func eachModuleReadsItsOwnVariables() throws {
        let entries = try listed([
            "CALWORKER_PUSH_URL": "https://calendar.example.com/push/google", "CALWORKER_PUSH_SAFETY_POLL": "30m",
            "CALWORKER_GOOGLE_PROJECT_REQUESTS_PER_MINUTE": "0", "CALWORKER_SMTP_URL": "smtp://127.0.0.1:25", "CALWORKER_SMTP_TLS": "none",
            "CALWORKER_CONSOLE_SECURE_COOKIES": "on", "CALWORKER_SCHEDULE_TIME_ZONE": "Europe/Berlin",
        ])
        #expect(entries["CALWORKER_PUSH_URL"]?.source == "env" && entries["CALWORKER_PUSH_SAFETY_POLL"]?.value == "30m")
        #expect(
            entries["CALWORKER_GOOGLE_REQUESTS_PER_MINUTE"]?.value == "500" && entries["CALWORKER_GOOGLE_REQUESTS_PER_MINUTE"]?.source == "default")
        #expect(entries["CALWORKER_SMTP_TLS"]?.value == "none" && entries["CALWORKER_CONSOLE_SECURE_COOKIES"]?.value == "on")
        #expect(entries["CALWORKER_THUMBNAIL_MAX_PIXELS"]?.value == "200000000")
    }

    @Test(arguments: [
        ("CALWORKER_REAUTH_URL", "javascript:alert(1)"), ("CALWORKER_REAUTH_URL", "ftp://x/{account_id}"),
        ("CALWORKER_ALERT_SYNC_FAILURES", "0"), ("CALWORKER_ALERT_SYNC_FAILURES", "99999999999999999999"),
        ("CALWORKER_ALERT_SYNC_FAILURES", "-3"), ("CALWORKER_ALERT_SYNC_STALE", "0s"), ("CALWORKER_ALERT_SYNC_STALE", "31d"),
        ("CALWORKER_GOOGLE_REQUESTS_PER_MINUTE", "0"), ("CALWORKER_MEDIA_ROOT", "relative/path"),
        ("CALWORKER_SCHEDULE_TIME_ZONE", "Mars/Olympus"), ("CALWORKER_PUSH_URL", "http://calendar.example.com/push"),
        ("CALWORKER_PUSH_URL", "ftp://127.0.0.1/push"), ("CALWORKER_PUSH_URL", "not a url"), ("CALWORKER_PUSH_URL", "https://x.example/metrics"),
        ("CALWORKER_PUSH_SAFETY_POLL", "10s"), ("CALWORKER_PUSH_SAFETY_POLL", "99999999999d"),
        ("CALWORKER_GOOGLE_PROJECT_REQUESTS_PER_MINUTE", "-1"), ("CALWORKER_GOOGLE_PROJECT_REQUESTS_PER_MINUTE", "99999999999999999999"),
        ("CALWORKER_CONSOLE_SECURE_COOKIES", "yes"), ("CALWORKER_ALERT_DISCARD_PERCENT", "0"), ("CALWORKER_ALERT_DISCARD_PERCENT", "101"),
        ("CALWORKER_ALERT_DISCARD_PERCENT", "99999999999999999999"), ("CALWORKER_ALERT_DISCARD_WINDOW", "1m"),
        ("CALWORKER_ALERT_DISCARD_WINDOW", "2d"), ("CALWORKER_ALERT_WORKERS_GONE", "10s"), ("CALWORKER_ALERT_WORKERS_GONE", "99999999999d"),
        ("CALWORKER_FEEDS_TARGET", "https://cdn.example.com/feeds/"), ("CALWORKER_FEEDS_TARGET", "relative/feeds"),
        ("CALWORKER_FEEDS_TARGET", "file://host/feeds/"), ("CALWORKER_FEEDS_URL", "ftp://example.com/feeds/"),
        ("CALWORKER_FEEDS_URL", "javascript:alert(1)"), ("CALWORKER_SMTP_TLS", "off"), ("CALWORKER_MEDIA_MAX_BYTES", "12"),
        ("CALWORKER_THUMBNAIL_MAX_PIXELS", "99999999999999999999"),
    ])
    func anUnusableValueInAnyModuleStopsTheCommandNamingIt(name: String, value: String) {
        let result = calworker(["config"], url: "", environment: [name: value])
        #expect(result.code == .unavailable && result.err.contains(name), "\(result.err)")
    }

    @Test func mailWithoutTLSIsAllowedToALoopbackRelayOnly() {
        #expect(calworker(["config"], url: "", environment: ["CALWORKER_SMTP_URL": "smtp://127.0.0.1:25", "CALWORKER_SMTP_TLS": "none"]).code == .ok)
        for (url, tls) in [("smtp://mail.example.com:25", "none"), ("smtps://127.0.0.1:465", "none")] {
            let result = calworker(["config"], url: "", environment: ["CALWORKER_SMTP_URL": url, "CALWORKER_SMTP_TLS": tls])
            #expect(result.code == .unavailable && result.err.contains("CALWORKER_SMTP_TLS"), "\(url) \(tls)")
        }
    }
}
