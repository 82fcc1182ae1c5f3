import Configuration
import Foundation
import Testing

/// A module's settings as the tests' own section: what any module's settings type does.
private struct ExampleSection: ConfigurationSection {
    var endpoint: String?
    var token: String
    var limit: Int

    init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        endpoint = try reader.webURL("CALWORKER_EXAMPLE_URL", example: "https://example.com/")
        token = try reader.secret("CALWORKER_EXAMPLE_TOKEN")
        limit = try reader.integer("CALWORKER_EXAMPLE_LIMIT", default: 5, in: 1...10)
    }
}

@Suite struct ConfigurationTests {
    @Test func defaultsMakeALocalRunWork() throws {
        let configuration = try Configuration.load([:])
        #expect(configuration.lease == .seconds(30) && configuration.retryBase == .seconds(15))
        #expect(configuration.databaseStatementTimeout == .seconds(60) && configuration.databaseLockTimeout == .seconds(10))
        #expect(configuration.historyRetention == .seconds(30 * 86_400) && configuration.logFormat == "json")
    }

    /// Every section reads through one reader, so the listing holds each module's variables
    /// after the process's own, and a secret is marked whichever module declared it.
    @Test func sectionsShareOneReaderAndItsListing() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cw-config-\(UUID().uuidString)")
        try "from-a-file-secret\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var reader = try ConfigurationReader(environment: [
            "CALWORKER_EXAMPLE_TOKEN_FILE": file.path, "CALWORKER_EXAMPLE_LIMIT": "7",
            "CALWORKER_DATABASE_URL": "postgresql://u:db-secret@host/db",
        ])
        var configuration = try Configuration(reading: &reader)
        let example = try ExampleSection(reading: &reader)
        configuration.entries = reader.entries
        #expect(example.token == "from-a-file-secret" && example.limit == 7 && example.endpoint == nil)
        let names = configuration.entries.map(\.name)
        #expect(
            names.first == "CALWORKER_DATABASE_URL"
                && names.suffix(3) == ["CALWORKER_EXAMPLE_URL", "CALWORKER_EXAMPLE_TOKEN", "CALWORKER_EXAMPLE_LIMIT"])
        let shown = configuration.maskedEntries
        #expect(shown.first { $0.name == "CALWORKER_EXAMPLE_TOKEN" }?.value == "****")
        #expect(shown.first { $0.name == "CALWORKER_EXAMPLE_TOKEN" }?.source == "file:\(file.path)")
        #expect(shown.first { $0.name == "CALWORKER_DATABASE_URL" }?.value == "postgresql://u:****@host/db")
    }

    @Test(arguments: [
        ("CALWORKER_LEASE", "2d"), ("CALWORKER_LEASE", "0s"), ("CALWORKER_RETRY_CAP", "31d"),
        ("CALWORKER_DATABASE_CONNECT_TIMEOUT", "1s"), ("CALWORKER_LOG_LEVEL", "loud"), ("CALWORKER_DATABASE_POOLER", "statement"),
        ("CALWORKER_HISTORY_RETENTION", "1h"), ("CALWORKER_HISTORY_RETENTION", "99999999999d"),
    ])
    func anUnusableValueIsRefusedNamingTheVariable(name: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try Configuration.load([name: value]) }
        #expect(error?.name == name)
    }

    @Test(arguments: [
        ("CALWORKER_EXAMPLE_URL", "javascript:alert(1)"), ("CALWORKER_EXAMPLE_LIMIT", "0"),
        ("CALWORKER_EXAMPLE_LIMIT", "99999999999999999999"), ("CALWORKER_EXAMPLE_LIMIT", "-3"),
    ])
    func aSectionsUnusableValueIsRefusedNamingTheVariable(name: String, value: String) throws {
        var reader = try ConfigurationReader(environment: [name: value])
        let error = #expect(throws: ConfigurationError.self) { try ExampleSection(reading: &reader) }
        #expect(error?.name == name)
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
