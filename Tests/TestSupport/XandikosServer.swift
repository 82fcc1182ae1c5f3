import Foundation
import HTTPClient
import Metrics

/// Xandikos (PyPI), the second real CalDAV server of the tests: started on a free port with a
/// throwaway folder, its principal at `/cw/` and the calendar home under it, and killed at the
/// end. It authenticates no one (it expects a proxy in front); the tests send Basic
/// authentication anyway, as to any server.
public final class XandikosServer: Sendable {
    public let port: Int
    let server: ChildProcess
    let folder: String

    public var url: String { "http://127.0.0.1:\(port)" }

    public init() throws {
        port = try freeTCPPort()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-xandikos-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        server = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: [
                "python3", "-m", "xandikos", "serve", "-d", folder, "--autocreate", "--current-user-principal", "/cw/", "-l", "127.0.0.1",
                "-p", String(port), "--no-detect-systemd",
            ], environment: ProcessInfo.processInfo.environment, stdout: folder + ".out.log", stderr: folder + ".err.log")
        let http = HTTPClient(service: "xandikos", metrics: MetricsRegistry())
        let probe = HTTPRequest(method: "PROPFIND", url: "http://127.0.0.1:\(port)/cw/", headers: [HTTPHeader("Depth", "0")])
        guard eventually(timeout: 30, { (try? http.send(probe))?.status == 207 }) else {
            let log = (try? String(contentsOfFile: folder + ".err.log", encoding: .utf8)) ?? ""
            stop()
            throw ConnectError(message: "xandikos did not start on port \(port) (scripts/setup-deps installs it from PyPI): \(log.suffix(500))")
        }
    }

    /// What the server logged.
    public var log: String { (try? String(contentsOfFile: folder + ".err.log", encoding: .utf8)) ?? "" }

    public func stop() {
        server.signal(SIGKILL)
        _ = server.wait(timeout: 10)
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.removeItem(atPath: folder + ".out.log")
        try? FileManager.default.removeItem(atPath: folder + ".err.log")
    }
}
