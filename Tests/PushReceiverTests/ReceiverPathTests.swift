import Foundation
import TestSupport
import Testing

/// CALWORKER_PUSH_URL with a trailing slash: the receiver served `/push/google` while Google
/// posted to `/push/google/` and got 405, so every account silently stayed on polling. Through
/// the real binary: the path is served exactly as configured, and said at start.
@Suite struct ReceiverPathTests {
    static let headers = [
        ("X-Goog-Channel-ID", "ch-unknown"), ("X-Goog-Channel-Token", "tok"), ("X-Goog-Resource-ID", "res-1"),
        ("X-Goog-Resource-State", "exists"), ("X-Goog-Message-Number", "3"),
    ]

    static func post(port: Int, path: String) throws -> String {
        let client = try RawTCPClient(port: port)
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        client.send(head + "\r\n")
        return client.readAll()
    }

    @Test(arguments: [["receive", "--http-addr", "127.0.0.1:0"], ["work", "--http-addr", "127.0.0.1:0"]])
    func theConfiguredPathIsServedExactlyAndSaidAtStart(command: [String]) throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let process = try CalworkerProcess(
            command, databaseURL: database.url,
            environment: ["CALWORKER_PUSH_URL": "https://calendar.example.com/push/google/", "CALWORKER_LOG_LEVEL": "info"])
        defer { process.signal(SIGKILL) }
        let logLine = command[0] == "receive" ? "receiving push notifications" : "serving metrics and health"
        let port = try #require(process.servedPort(logLine: logLine), "\(process.standardError.suffix(2000))")
        let said = process.standardError.replacingOccurrences(of: "\\/", with: "/")
        #expect(said.contains(#"path":"/push/google/""#), "the path served, said at start: \(said.suffix(1000))")
        let answered = try Self.post(port: port, path: "/push/google/")
        #expect(RawTCPClient.status(of: answered) == 200 && answered.contains("unknown_channel"), "the slash path is the receiver's: \(answered)")
        let other = try Self.post(port: port, path: "/push/google")
        #expect(RawTCPClient.status(of: other) != 200, "only the configured path: \(other)")
    }

    @Test func aPushURLOnTheWorkersOwnEndpointsIsRefusedAtStart() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let refused = try CalworkerProcess.run(
            ["receive", "--http-addr", "127.0.0.1:0"], databaseURL: database.url,
            environment: ["CALWORKER_PUSH_URL": "https://calendar.example.com/metrics"])
        #expect(refused.status == 3 && refused.stderr.contains("the worker's own endpoint"), "\(refused)")
    }
}
