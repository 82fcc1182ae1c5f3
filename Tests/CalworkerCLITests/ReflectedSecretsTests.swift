import Foundation
import HTTPServer
import JobQueue
import Postgres
import Synchronization
import TestSupport
import Testing

/// Upstreams that echo what they were sent: a token endpoint quoting the request (refresh
/// token, client secret), an API quoting the Authorization header. The secrets appear in no
/// column, no log line and no output, through the real binary.
@Suite struct ReflectedSecretsTests {
    static let key = Data((0..<32).map { UInt8($0 ^ 0x3c) }).base64EncodedString()

    @Test func secretsEchoedByGoogleLeaveNoTrace() throws {
        let refreshToken = "1//0gReflected-Refresh-\(UUID().uuidString)"
        let clientSecret = "GOCSPX-reflected-\(UUID().uuidString)"
        let accessToken = "ya29.reflected-\(UUID().uuidString)"
        // Answers a refresh with a token that lives a minute, then every API call with a 401
        // quoting its Authorization header; a second refresh is answered with 400 quoting
        // the whole request.
        let refreshes = Counter()
        let google = try HTTPServer(address: "127.0.0.1:0") { request in
            if request.path == "/token" {
                let echo = String(decoding: request.body, as: UTF8.self)
                if refreshes.next() == 1 {
                    return HTTPServerResponse(
                        status: 200, contentType: "application/json",
                        body: #"{"access_token": "\#(accessToken)", "expires_in": 3600}"#)
                }
                let body = try! JSONSerialization.data(withJSONObject: [
                    "error": "invalid_request",
                    "error_description": "bad request \(echo) (\(echo.removingPercentEncoding ?? ""))",
                ])
                return HTTPServerResponse(status: 400, contentType: "application/json", bytes: Array(body))
            }
            let authorization = request.header("Authorization") ?? ""
            return HTTPServerResponse(
                status: 401, contentType: "application/json",
                body:
                    #"{"error": {"code": 401, "message": "Invalid Credentials in \#(authorization)", "errors": [{"reason": "authError", "message": "\#(authorization)"}]}}"#
            )
        }
        google.start()
        defer { google.stop() }

        let database = try TestDatabase.make()
        defer { database.drop() }
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("cw-reflect-\(UUID().uuidString)")
        try refreshToken.write(to: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        let env = [
            "CALWORKER_TOKEN_KEY": Self.key, "CALWORKER_GOOGLE_CLIENT_SECRET": clientSecret, "CALWORKER_GOOGLE_CLIENT_ID": "client",
            "CALWORKER_GOOGLE_API_URL": "http://127.0.0.1:\(google.port)/calendar/v3",
            "CALWORKER_GOOGLE_TOKEN_URL": "http://127.0.0.1:\(google.port)/token", "CALWORKER_LOG_LEVEL": "debug",
        ]
        var printed = ""
        func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            let result = try CalworkerProcess.run(arguments, databaseURL: database.url, environment: env)
            printed += result.stdout + result.stderr
            return result
        }
        #expect(try run(["accounts", "add", "--email", "ada@example.com", "--refresh-token-file", tokenFile.path, "--no-sync"]).status == 0)
        let enqueued = try run(["enqueue", "sync_account", "--args", #"{"account_id": 1}"#, "--max-attempts", "2", "--json"])
        let jobID = try #require(try JSONSerialization.jsonObject(with: Data(enqueued.stdout.utf8)) as? [String: Any])["id"] as? Int
        #expect(try run(["work", "--once"]).status == 0)
        #expect(refreshes.value >= 2, "the endpoint was asked again after the API refused the token")
        for arguments in [
            ["runs", "show", String(jobID ?? 0)], ["runs", "show", String(jobID ?? 0), "--json"], ["status"], ["status", "--json"],
            ["accounts", "show", "1"], ["accounts", "list", "--json"], ["runs"], ["queue", "--json"],
        ] {
            _ = try run(arguments)
        }
        #expect(printed.contains("Invalid Credentials") || printed.contains("bad request"), "the errors were shown at all")
        let dump = try PgDump.plain(database.url)
        for secret in [refreshToken, clientSecret, accessToken] {
            let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret
            #expect(!printed.contains(secret) && !printed.contains(encoded), "printed or logged")
            #expect(!dump.contains(secret) && !dump.contains(encoded), "stored")
        }
    }
}

/// A counter handlers on several threads share.
final class Counter: Sendable {
    private let count = Mutex(0)
    func next() -> Int {
        count.withLock {
            $0 += 1
            return $0
        }
    }
    var value: Int { count.withLock { $0 } }
}
