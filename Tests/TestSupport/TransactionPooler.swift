import Foundation

/// A real PgBouncer in `pool_mode = transaction` in front of the test cluster, with two server
/// connections for all clients, so consecutive statements of one client do reach different
/// server sessions.
public final class TransactionPooler: Sendable {
    public let directory: String
    public let port: Int
    let child: ChildProcess

    /// Starts PgBouncer (as the `postgres` user when root: it refuses to run as root).
    public init() throws {
        directory = "/tmp/cw-bouncer-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o777])
        port = Int.random(in: 20_000...40_000)
        let clusterSocket = TestEnvironment.clusterDirectory
        try """
        [databases]
        * = host=\(clusterSocket) port=5432
        [pgbouncer]
        listen_addr =
        unix_socket_dir = \(directory)
        listen_port = \(port)
        auth_type = trust
        auth_file = \(directory)/users.txt
        pool_mode = transaction
        default_pool_size = 2
        max_client_conn = 200
        logfile = \(directory)/pgbouncer.log
        """.write(toFile: directory + "/pgbouncer.ini", atomically: true, encoding: .utf8)
        try "\"calworker\" \"\"\n".write(toFile: directory + "/users.txt", atomically: true, encoding: .utf8)
        let userSwitch = getuid() == 0 ? ["-u", "postgres"] : []
        child = try ChildProcess(
            executable: "/usr/sbin/pgbouncer", arguments: userSwitch + [directory + "/pgbouncer.ini"],
            environment: ProcessInfo.processInfo.environment,
            stdout: directory + "/stdout", stderr: directory + "/stderr")
        guard eventually(timeout: 20, { FileManager.default.fileExists(atPath: "\(directory)/.s.PGSQL.\(port)") }) else {
            throw ClusterError(
                message: "pgbouncer did not start: \((try? String(contentsOfFile: directory + "/pgbouncer.log", encoding: .utf8)) ?? "")")
        }
    }

    /// Conninfo for `database` through the pooler.
    public func url(database: String) -> String {
        "host=\(directory) port=\(port) user=calworker dbname=\(database)"
    }

    public func stop() {
        child.signal(SIGTERM)
        _ = child.wait(timeout: 10)
        try? FileManager.default.removeItem(atPath: directory)
    }

    struct ClusterError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
