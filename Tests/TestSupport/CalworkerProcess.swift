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
        child = try ChildProcess(
            executable: TestEnvironment.calworkerBinary, arguments: arguments, environment: env,
            stdout: stdoutPath, stderr: stderrPath)
    }

    /// Starts `calworker ARGS` with exactly `environment` and nothing inherited: what cron
    /// (`env -i` plus its own few variables) or a bare systemd unit hands a command.
    public init(_ arguments: [String], exactEnvironment environment: [String: String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-proc-\(UUID().uuidString)").path
        stdoutPath = base + ".out"
        stderrPath = base + ".err"
        child = try ChildProcess(
            executable: TestEnvironment.calworkerBinary, arguments: arguments, environment: environment,
            stdout: stdoutPath, stderr: stderrPath)
    }

    public var pid: Int32 { child.pid }
    public var isRunning: Bool { child.isRunning }
    public func signal(_ number: Int32) { child.signal(number) }

    /// Waits up to `timeout` seconds for exit; returns the exit status, or nil if still running.
    @discardableResult
    public func wait(timeout: Double = 60) -> Int32? { child.wait(timeout: timeout) }

    /// The port a `work --http-addr HOST:0` process reports it serves on (from its JSON log at
    /// info level), once it does; nil after `timeout` seconds. Asking the kernel for a free port
    /// and passing it on raced with other tests' sockets taking it meanwhile.
    /// `receive` says "receiving push notifications" instead.
    public func servedPort(timeout: Double = 30, logLine: String = "serving metrics and health") -> Int? {
        var port: Int?
        _ = eventually(timeout: timeout) {
            guard let line = standardError.split(separator: "\n").first(where: { $0.contains(logLine) }),
                let range = line.range(of: #""port":"[0-9]+""#, options: .regularExpression)
            else { return false }
            port = Int(line[range].dropFirst(8).dropLast())
            return port != nil
        }
        return port
    }

    public var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Runs `calworker ARGS` to completion and returns (exit status, stdout, stderr).
    public static func run(
        _ arguments: [String], databaseURL: String, environment: [String: String] = [:],
        timeout: Double = 120
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = try CalworkerProcess(arguments, databaseURL: databaseURL, environment: environment)
        guard let status = process.wait(timeout: timeout) else {
            process.signal(SIGKILL)
            return (-1, process.standardOutput, process.standardError + "\n(killed after \(timeout)s)")
        }
        return (status, process.standardOutput, process.standardError)
    }

    /// `run`, with exactly `environment`.
    public static func run(
        _ arguments: [String], exactEnvironment environment: [String: String], timeout: Double = 120
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = try CalworkerProcess(arguments, exactEnvironment: environment)
        guard let status = process.wait(timeout: timeout) else {
            process.signal(SIGKILL)
            return (-1, process.standardOutput, process.standardError + "\n(killed after \(timeout)s)")
        }
        return (status, process.standardOutput, process.standardError)
    }
}
