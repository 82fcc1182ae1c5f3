public import Foundation

/// Where the test command (`scripts/test`) put things. Tests never skip when these are
/// missing: they fail and say how to run them.
public enum TestEnvironment {
    /// Conninfo of the throwaway cluster's admin database.
    public static var adminURL: String {
        guard let url = ProcessInfo.processInfo.environment["CALWORKER_TEST_DATABASE_URL"], !url.isEmpty else {
            fatalError("CALWORKER_TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL")
        }
        return url
    }

    /// The throwaway cluster's folder, for `scripts/pg-throwaway restart`.
    public static var clusterDirectory: String {
        guard let dir = ProcessInfo.processInfo.environment["CALWORKER_TEST_PGDIR"], !dir.isEmpty else {
            fatalError("CALWORKER_TEST_PGDIR is not set: run the tests with scripts/test")
        }
        return dir
    }

    /// The package's root folder, found from this file's path.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The built `calworker` executable (`CALWORKER_BIN`, else `.build/debug/calworker`).
    public static var calworkerBinary: String {
        if let path = ProcessInfo.processInfo.environment["CALWORKER_BIN"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".build/debug/calworker").path
    }
}
