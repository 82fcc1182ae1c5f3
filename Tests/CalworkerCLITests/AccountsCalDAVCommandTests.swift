import Foundation
import HTTPClient
import Metrics
import TestSupport
import Testing

/// Connecting a CalDAV account from the command line, against Radicale checking its password:
/// the URL must lead to event calendars first, a wrong password or address is an error that
/// says what to do, and the app password is stored encrypted and never printed.
@Suite struct AccountsCalDAVCommandTests {
    static let password = "app-pass-Never-Printed-7"

    @Test func aCalDAVAccountIsFoundThenStoredWithItsPasswordEncrypted() throws {
        let radicale = try RadicaleServer(users: ["cw": Self.password])
        defer { radicale.stop() }
        let auth = HTTPHeader("Authorization", "Basic " + Data("cw:\(Self.password)".utf8).base64EncodedString())
        let made = try HTTPClient(service: "test", metrics: MetricsRegistry()).send(
            HTTPRequest(
                method: "MKCALENDAR", url: radicale.url + "/cw/work/", headers: [auth],
                body: Data(
                    #"<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>Work</d:displayname></d:prop></d:set></c:mkcalendar>"#
                        .utf8)))
        #expect(made.status == 201, "\(radicale.log)")

        let database = try TestDatabase.make()
        defer { database.drop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-caldav-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.password.write(to: folder.appendingPathComponent("good"), atomically: true, encoding: .utf8)
        try "not-the-password".write(to: folder.appendingPathComponent("bad"), atomically: true, encoding: .utf8)
        let env = ["CALWORKER_TOKEN_KEY": AccountsCommandTests.key]
        var printed = ""
        func run(_ arguments: [String], _ environment: [String: String] = env) throws -> (status: Int32, stdout: String, stderr: String) {
            let result = try CalworkerProcess.run(arguments, databaseURL: database.url, environment: environment)
            printed += result.stdout + result.stderr
            return result
        }
        func add(_ url: String, _ file: String, json: Bool = false) throws -> (status: Int32, stdout: String, stderr: String) {
            try run(
                [
                    "accounts", "add", "--provider", "caldav", "--caldav-url", url, "--username", "cw", "--email", "cw@example.com",
                    "--owner", "user-1", "--password-file", folder.appendingPathComponent(file).path,
                ] + (json ? ["--json"] : []))
        }

        let refused = try add(radicale.url, "bad")
        #expect(refused.status == 1 && refused.stderr.contains("refused") && refused.stderr.contains("app password"), "\(refused.stderr)")
        let nowhere = try add("http://127.0.0.1:1/", "good")
        #expect(nowhere.status == 3 && nowhere.stderr.contains("did not answer"), "\(nowhere.stderr)")
        #expect(try run(["accounts", "add", "--provider", "exchange"]).status == 2)

        let added = try add(radicale.url, "good", json: true)
        #expect(added.status == 0, "\(added.stderr)")
        let account = try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any]
        #expect(account?["provider"] as? String == "caldav" && account?["owner"] as? String == "user-1")
        #expect((account?["calendars"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Work"])
        #expect(try run(["accounts", "list"]).stdout.contains("caldav"))
        #expect(try add(radicale.url, "good").status == 1, "one account per address")

        let rotated = try run(
            ["accounts", "rotate-key"],
            ["CALWORKER_TOKEN_KEY": AccountsCommandTests.newKey, "CALWORKER_TOKEN_KEY_PREVIOUS": AccountsCommandTests.key])
        #expect(rotated.status == 0 && rotated.stdout.contains("re-encrypted 1 account"), "\(rotated.stdout) \(rotated.stderr)")

        #expect(!printed.contains(Self.password), "the app password was printed")
        #expect(!(try PgDump.plain(database.url)).contains("Never-Printed"), "the app password is stored in the clear")
    }

    @Test(arguments: [
        (["--caldav-url", "javascript:alert(1)", "--username", "cw"], "an http(s) URL"),
        (["--caldav-url", "file:///etc/passwd", "--username", "cw"], "an http(s) URL"),
        (["--caldav-url", "https://dav.example.com/", "--username", String(repeating: "u", count: 513)], "1 to 512 bytes"),
        (["--username", "cw"], "needs --caldav-url"),
        (["--caldav-url", "https://dav.example.com/"], "needs --username"),
    ])
    func hostileArgumentsAreRefusedBeforeAnyRequest(arguments: [String], message: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cw-pw-\(UUID().uuidString)")
        try "pw".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CalworkerProcess.run(
            ["accounts", "add", "--provider", "caldav", "--password-file", file.path] + arguments, databaseURL: "host=/nonexistent",
            environment: ["CALWORKER_TOKEN_KEY": AccountsCommandTests.key])
        #expect(result.status == 2 && result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func anEmptyPasswordFileIsRefused() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cw-pw-\(UUID().uuidString)")
        try "\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CalworkerProcess.run(
            [
                "accounts", "add", "--provider", "caldav", "--caldav-url", "https://dav.example.com/", "--username", "cw", "--password-file",
                file.path,
            ],
            databaseURL: "host=/nonexistent", environment: ["CALWORKER_TOKEN_KEY": AccountsCommandTests.key])
        #expect(result.status == 2 && result.stderr.contains("empty"), "\(result.stderr)")
    }
}
