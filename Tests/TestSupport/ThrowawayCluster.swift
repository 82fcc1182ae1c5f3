import Foundation

/// A PostgreSQL cluster of a test's own (`scripts/pg-throwaway`), for tests that stop or
/// restart the server and must not disturb the shared one.
public final class ThrowawayCluster: Sendable {
    public let directory: String
    /// Conninfo of the cluster's `calworker` database.
    public let url: String

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-cluster-\(UUID().uuidString.prefix(8))").path
        url = try Self.script(["start", directory]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts the server again after `stop()`.
    public func start() throws { _ = try Self.script(["start", directory]) }
    public func restart() throws { _ = try Self.script(["restart", directory]) }
    public func stop() throws { _ = try Self.script(["stop", directory]) }

    /// Stops the server and removes its files.
    public func destroy() {
        _ = try? Self.script(["stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs the script with its output in a file: a pipe would never reach end-of-file,
    /// because the server it starts inherits the pipe's write end.
    @discardableResult
    static func script(_ arguments: [String]) throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-pg-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let child = try ChildProcess(
            executable: TestEnvironment.packageRoot.appendingPathComponent("scripts/pg-throwaway").path,
            arguments: arguments, environment: ProcessInfo.processInfo.environment,
            stdout: base + ".out", stderr: base + ".err")
        let status = child.wait(timeout: 120)
        guard status == 0 else {
            let log = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            throw ClusterError(message: "pg-throwaway \(arguments.joined(separator: " ")) exited \(status.map(String.init) ?? "late"): \(log)")
        }
        return (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
    }

    struct ClusterError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
