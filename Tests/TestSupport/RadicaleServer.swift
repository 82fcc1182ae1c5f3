import Foundation
import HTTPClient
import Metrics

/// Debian's Radicale, a real CalDAV server, on loopback for one test: any user name and
/// password are accepted (`auth none`), and each user owns the collections under their name.
public final class RadicaleServer: Sendable {
    public let port: Int
    let server: ChildProcess
    let folder: String

    public var url: String { "http://127.0.0.1:\(port)" }

    /// - Parameter users: user names and passwords Radicale checks (plain htpasswd); none:
    ///   any name and password are accepted.
    public init(users: [String: String] = [:]) throws {
        port = try freeTCPPort()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-radicale-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/collections", withIntermediateDirectories: true)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/radicale") else {
            throw ConnectError(message: "/usr/bin/radicale is missing: scripts/setup-deps installs Debian's radicale")
        }
        server = try ChildProcess(
            executable: "/usr/bin/radicale",
            arguments: [
                "--config", "", "--server-hosts", "127.0.0.1:\(port)", "--storage-filesystem-folder", folder + "/collections",
                "--rights-type", "owner_only", "--logging-level", "warning",
            ] + (try Self.authentication(users, folder: folder)), environment: ProcessInfo.processInfo.environment, stdout: folder + "/out.log",
            stderr: folder + "/err.log")
        let http = HTTPClient(service: "radicale", metrics: MetricsRegistry())
        let url = "http://127.0.0.1:\(port)/.web/"
        guard eventually(timeout: 30, { (try? http.send(HTTPRequest(url: url)))?.status == 200 }) else {
            let log = (try? String(contentsOfFile: folder + "/err.log", encoding: .utf8)) ?? ""
            stop()
            throw ConnectError(message: "radicale did not start on port \(port): \(log.suffix(500))")
        }
    }

    static func authentication(_ users: [String: String], folder: String) throws -> [String] {
        guard !users.isEmpty else { return ["--auth-type", "none"] }
        let file = folder + "/htpasswd"
        try users.map { "\($0.key):\($0.value)\n" }.joined().write(toFile: file, atomically: true, encoding: .utf8)
        return ["--auth-type", "htpasswd", "--auth-htpasswd-filename", file, "--auth-htpasswd-encryption", "plain"]
    }

    /// What the server logged (its errors say why it refused an upload).
    public var log: String { (try? String(contentsOfFile: folder + "/err.log", encoding: .utf8)) ?? "" }

    public func stop() {
        server.signal(SIGKILL)
        _ = server.wait(timeout: 10)
        try? FileManager.default.removeItem(atPath: folder)
    }
}
