import Foundation

/// Prometheus' own tools (Debian packages `prometheus` and `prometheus-pushgateway`, which
/// `scripts/setup-deps` installs), so the tests check our output the way Prometheus reads it.
public enum Promtool {
    /// Runs `promtool check metrics` on `text`: its exit status and what it said. It checks the
    /// exposition parses and lints names, units, HELP and counter suffixes.
    public static func checkMetrics(_ text: String) throws -> (ok: Bool, output: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-promtool-\(UUID().uuidString)").path
        defer { for suffix in [".prom", ".out", ".err"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
        try Data(text.utf8).write(to: URL(fileURLWithPath: base + ".prom"))
        let child = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", "exec promtool check metrics < \(base).prom"],
            environment: ProcessInfo.processInfo.environment, stdout: base + ".out", stderr: base + ".err")
        let status = child.wait(timeout: 60)
        let output =
            ((try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "")
            + ((try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
        return (status == 0, output)
    }
}

/// A real Prometheus Pushgateway on a loopback port, for as long as the value lives.
public final class PushgatewayServer: Sendable {
    public let port: Int
    let child: ChildProcess

    public init() throws {
        port = try freeTCPPort()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-pushgateway-\(UUID().uuidString)").path
        child = try ChildProcess(
            executable: "/usr/bin/prometheus-pushgateway",
            arguments: ["--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"],
            environment: ProcessInfo.processInfo.environment, stdout: base + ".out", stderr: base + ".err")
        guard becomesReady(port: port, timeout: 30) else {
            throw ConnectError(message: "the Pushgateway did not become ready on port \(port)")
        }
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// What the Pushgateway serves to Prometheus.
    /// HTTP/1.0: read as HTTP/1.1, the answer came chunked (a chunk's size line could split a
    /// sample once the page grew) and the connection stayed open until the read timed out.
    public func scrape() throws -> String { RawTCPClient.body(of: try RawTCPClient.get(port: port, path: "/metrics", version: "HTTP/1.0")) }

    deinit { child.signal(SIGKILL) }
}

/// Whether a Prometheus server (or Pushgateway) on `port` answers `/-/ready` with 200 within
/// `timeout` seconds.
func becomesReady(port: Int, timeout: Double) -> Bool {
    eventually(timeout: timeout) {
        (try? RawTCPClient.get(port: port, path: "/-/ready", timeout: .seconds(2))).map { RawTCPClient.status(of: $0) == 200 } ?? false
    }
}

/// A TCP port nobody listens on right now (the kernel's pick for port 0).
public func freeTCPPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw ConnectError(message: "cannot find a free port: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Debian's Prometheus server on a loopback port, with its own storage folder, for as long as
/// the value lives: the shipped configuration and rules, evaluated against live processes.
public final class PrometheusServer: Sendable {
    public let port: Int
    let child: ChildProcess
    let directory: String

    /// Starts `prometheus` with `configuration` (a file path) and waits until it is ready.
    public init(configuration: String) throws {
        port = try freeTCPPort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-prometheus-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        child = try ChildProcess(
            executable: "/usr/bin/prometheus",
            arguments: [
                "--config.file=\(configuration)", "--storage.tsdb.path=\(directory)/data", "--web.listen-address=127.0.0.1:\(port)",
                "--log.level=warn",
            ],
            environment: ProcessInfo.processInfo.environment, stdout: directory + "/out", stderr: directory + "/err")
        guard becomesReady(port: port, timeout: 60) else {
            let log = (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? ""
            child.signal(SIGKILL)
            throw ConnectError(message: "Prometheus did not become ready on port \(port): \(log.suffix(2000))")
        }
    }

    /// An API answer's JSON (`/api/v1/query?query=...`, `/api/v1/alerts`, `/api/v1/targets`).
    public func api(_ path: String, query: [String: String] = [:]) throws -> [String: Any] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = query.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        let response = try RawTCPClient.get(port: port, path: path + (encoded.isEmpty ? "" : "?" + encoded), version: "HTTP/1.0")
        let body = RawTCPClient.body(of: response)
        guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw ConnectError(message: "Prometheus answered \(path) with something that is not a JSON object: \(body.prefix(300))")
        }
        return object
    }

    /// Evaluates `expression` now: `status` (`success` or `error`), the series returned, and
    /// the error Prometheus gave.
    public func query(_ expression: String) throws -> (status: String, series: [[String: Any]], error: String?) {
        let answer = try api("/api/v1/query", query: ["query": expression])
        let data = answer["data"] as? [String: Any]
        return (answer["status"] as? String ?? "", data?["result"] as? [[String: Any]] ?? [], answer["error"] as? String)
    }

    public var log: String { (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? "" }

    deinit {
        child.signal(SIGKILL)
        _ = child.wait(timeout: 10)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
