import Foundation

/// `pg_dump` of a test database, as plain SQL text, for tests that look at what the
/// database really holds.
public enum PgDump {
    public static func plain(_ url: String) throws -> String { try run(url, ["--no-owner"]) }

    /// The `calworker` schema's definitions, without owners, grants, or the lines that change
    /// from one dump to the next (versions, the `\\restrict` key).
    public static func schemaOnly(_ url: String) throws -> String {
        try run(url, ["--schema-only", "--no-owner", "--no-privileges", "--schema=calworker"])
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("-- Dumped ") && !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }
            .joined(separator: "\n")
    }

    static func run(_ url: String, _ options: [String]) throws -> String {
        let binary = try tool("pg_dump")
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-dump-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: base + ".sql")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let child = try ChildProcess(
            executable: binary, arguments: ["--dbname", url] + options,
            environment: ProcessInfo.processInfo.environment, stdout: base + ".sql", stderr: base + ".err")
        guard child.wait(timeout: 120) == 0 else {
            throw ConnectError(message: "pg_dump failed: \((try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")")
        }
        return try String(contentsOfFile: base + ".sql", encoding: .utf8)
    }

    /// A client program of the newest PostgreSQL installed (`/usr/lib/postgresql/N/bin`).
    public static func tool(_ name: String) throws -> String {
        let found = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted {
            $0.compare($1, options: .numeric) == .orderedAscending
        }
        .map { "/usr/lib/postgresql/\($0)/bin/\(name)" }.last { FileManager.default.isExecutableFile(atPath: $0) }
        guard let found else { throw ConnectError(message: "\(name) not found under /usr/lib/postgresql") }
        return found
    }
}
