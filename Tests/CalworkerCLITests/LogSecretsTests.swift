import Foundation
import JobQueue
import TestSupport
import Testing

/// No secret in any log line or output: every secret a run was given is searched for in
/// everything it printed, at debug level, for a run that works and for runs that fail.
@Suite struct LogSecretsTests {
    static let secrets = [
        "CALWORKER_TOKEN_KEY": "c2VjcmV0LXRva2VuLWtleS0zMi1ieXRlcy1sb25nISE=",
        "CALWORKER_GOOGLE_CLIENT_SECRET": "GOCSPX-client-secret-4711",
        "CALWORKER_S3_SECRET_ACCESS_KEY": "wJalrXUtnFEMI-s3-secret-K7MDENG",
    ]
    static let databasePassword = "pg-password-0815"

    static func leaks(in text: String) -> [String] {
        (Array(secrets.values) + [databasePassword]).filter { text.contains($0) }
    }

    @Test func aFullWorkerRunAtDebugLevelLogsNoSecret() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        try JobQueue().enqueueMany(
            [
                NewJob(kind: "noop", args: #"{"sleep_ms": 20}"#), NewJob(kind: "noop", args: #"{"fail": "retry"}"#, maxAttempts: 1),
                NewJob(kind: "noop", args: #"{"fail": "discard"}"#),
                // Signs a request with the S3 secret, which fails (nothing listens there) and is logged.
                NewJob(kind: "thumbnail", args: #"{"source": "s3://photos/a.jpg"}"#, maxAttempts: 1),
            ], on: db)
        // Trust authentication ignores the password, but every path that prints the URL sees it.
        let url = database.url + " password=\(Self.databasePassword)"
        var env = Self.secrets
        env["CALWORKER_LOG_LEVEL"] = "debug"
        env["CALWORKER_S3_ENDPOINT"] = "http://127.0.0.1:9"
        env["CALWORKER_S3_ACCESS_KEY_ID"] = "AKIACALWORKERTEST"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var printed = ""
        for arguments in [
            ["work", "--once", "--metrics-file", folder.appendingPathComponent("m.prom").path], ["status"], ["runs"],
            ["config"], ["config", "--json"], ["metrics"], ["healthcheck", "--worker"], ["workers", "--json"],
        ] {
            let run = try CalworkerProcess.run(arguments, databaseURL: url, environment: env)
            printed += run.stdout + run.stderr
        }
        printed += try String(contentsOf: folder.appendingPathComponent("m.prom"), encoding: .utf8)
        #expect(printed.contains("job did not complete"), "the run logged at all")
        #expect(Self.leaks(in: printed).isEmpty, "leaked: \(Self.leaks(in: printed))")
    }

    @Test func failuresToConnectDoNotPrintThePassword() throws {
        let url = "postgresql://calworker:\(Self.databasePassword)@127.0.0.1:1/nowhere?connect_timeout=2"
        var printed = ""
        for arguments in [["work", "--once"], ["status"], ["metrics"], ["healthcheck"], ["migrate"], ["enqueue", "noop"]] {
            let run = try CalworkerProcess.run(arguments, databaseURL: url, environment: Self.secrets)
            #expect(run.status != 0)
            printed += run.stdout + run.stderr
        }
        #expect(printed.contains("127.0.0.1"), "the errors say where they tried")
        #expect(Self.leaks(in: printed).isEmpty, "leaked: \(Self.leaks(in: printed))")
    }
}
