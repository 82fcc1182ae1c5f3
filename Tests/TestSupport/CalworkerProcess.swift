import Foundation

/// The real `calworker` binary run as a child process, the way cron, systemd and operators
/// run it. Output goes to files so a chatty child never blocks on a full pipe.
public final class CalworkerProcess: Sendable {
    let child: ChildProcess
    public let stdoutPath: String
    public let stderrPath: String

    /// Starts `calworker ARGS` against `databaseURL`, with extra environment variables.
    public init(_ arguments: [String], databaseURL: String, environment: [String: String] = [:]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-proc-\(UUID().uuidString)").path
        stdoutPath = base + ".out"
        stderrPath = base + ".err"
        var env = ProcessInfo.processInfo.environment
        env["CALWORKER_DATABASE_URL"] = databaseURL
        for (key, value) in environment { env[key] = value }
        child = try ChildProcess(executable: TestEnvironment.calworkerBinary, arguments: arguments, environment: env,
                                 stdout: stdoutPath, stderr: stderrPath)
    }

    public var pid: Int32 { child.pid }
    public var isRunning: Bool { child.isRunning }
    public func signal(_ number: Int32) { child.signal(number) }

    /// Waits up to `timeout` seconds for exit; returns the exit status, or nil if still running.
    @discardableResult
    public func wait(timeout: Double = 60) -> Int32? { child.wait(timeout: timeout) }

    public var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Runs `calworker ARGS` to completion and returns (exit status, stdout, stderr).
    public static func run(_ arguments: [String], databaseURL: String, environment: [String: String] = [:],
                           timeout: Double = 120) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = try CalworkerProcess(arguments, databaseURL: databaseURL, environment: environment)
        guard let status = process.wait(timeout: timeout) else {
            process.signal(SIGKILL)
            return (-1, process.standardOutput, process.standardError + "\n(killed after \(timeout)s)")
        }
        return (status, process.standardOutput, process.standardError)
    }
}
