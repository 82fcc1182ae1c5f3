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

    public func restart() throws { _ = try Self.script(["restart", directory]) }
    public func stop() throws { _ = try Self.script(["stop", directory]) }

    /// Stops the server and removes its files.
    public func destroy() {
        _ = try? Self.script(["stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    static func script(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = TestEnvironment.packageRoot.appendingPathComponent("scripts/pg-throwaway")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ClusterError(message: "pg-throwaway \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct ClusterError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
