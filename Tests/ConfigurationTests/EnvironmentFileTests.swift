import Configuration
import Foundation
import Testing

/// CALWORKER_ENV_FILE: systemd's EnvironmentFile syntax, the process's variables first.
@Suite struct EnvironmentFileTests {
    @Test func assignmentsCommentsQuotesAndContinuationsReadAsSystemdReadsThem() throws {
        let parsed = try EnvironmentFile.parse(
            """
            # comment
            ; another
              CALWORKER_LOG_LEVEL = debug
            CALWORKER_SMTP_FROM="Calendar <calendar@example.com>"
            CALWORKER_SMTP_PASSWORD='p"a$s w;rd'
            CALWORKER_TEMPLATE_DIR="/srv/with \\"quotes\\" and \\\\ backslash"
            export CALWORKER_QUEUE=mail
            CALWORKER_ALERT_EMAIL=ops@example.com,\\
            oncall@example.com
            CALWORKER_EMPTY=

            """)
        #expect(parsed["CALWORKER_LOG_LEVEL"] == "debug")
        #expect(parsed["CALWORKER_SMTP_FROM"] == "Calendar <calendar@example.com>")
        #expect(parsed["CALWORKER_SMTP_PASSWORD"] == #"p"a$s w;rd"#)
        #expect(parsed["CALWORKER_TEMPLATE_DIR"] == #"/srv/with "quotes" and \ backslash"#)
        #expect(parsed["CALWORKER_QUEUE"] == "mail")
        #expect(parsed["CALWORKER_ALERT_EMAIL"] == "ops@example.com,oncall@example.com")
        #expect(parsed["CALWORKER_EMPTY"] == "")
        #expect(parsed.count == 7)
    }

    @Test(arguments: [
        ("just words", "not NAME=value"), ("1BAD=x", "is not a variable name"), ("CALWORKER X=1", "is not a variable name"),
        ("A=\"open", "a quote is not closed"), ("A='open", "a quote is not closed"), ("A=x\\", "ends with a backslash"),
    ])
    func aLineThatIsNoAssignmentIsNamedByNumberNeverByValue(text: String, reason: String) {
        #expect(throws: ConfigurationError.self) { try EnvironmentFile.parse("# first\n" + text) }
        do {
            _ = try EnvironmentFile.parse("ok=1\n" + text)
        } catch {
            #expect(error.description.contains(reason) && error.description.contains("line 2"), "\(error)")
            #expect(!error.description.contains("open") || reason.contains("quote"), "the value is not repeated: \(error)")
        }
    }

    @Test func theProcesssVariablesWinAndAMissingFileIsAnError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cw-envfile-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "CALWORKER_LOG_LEVEL=debug\nCALWORKER_LOG_FORMAT=text\n".write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try Configuration.load(["CALWORKER_ENV_FILE": path, "CALWORKER_LOG_FORMAT": "json"])
        #expect(configuration.logLevel == "debug", "from the file")
        #expect(configuration.logFormat == "json", "the process's own variable wins")
        #expect(throws: ConfigurationError.self) { try Configuration.load(["CALWORKER_ENV_FILE": path + ".missing"]) }
    }
}
