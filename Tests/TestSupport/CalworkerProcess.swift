import Foundation

/// The real `calworker` binary run as a child process, the way cron, systemd and operators
/// run it. Output goes to files so a chatty child never blocks on a full pipe.
public final class CalworkerProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is configured before `run()` and afterwards only used
    // through Foundation's own thread-safe Process API.
    public let process = Process()
    public let stdoutURL: URL
    public let stderrURL: URL

    /// Starts `calworker ARGS` against `databaseURL`, with extra environment variables.
    public init(_ arguments: [String], databaseURL: String, environment: [String: String] = [:]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        stdoutURL = folder.appendingPathComponent("stdout")
        stderrURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: TestEnvironment.calworkerBinary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["CALWORKER_DATABASE_URL"] = databaseURL
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits up to `timeout` seconds for exit; returns the exit status, or nil if still running.
    @discardableResult
    public func wait(timeout: Double = 60) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return process.isRunning ? nil : process.terminationStatus
    }

    public var standardOutput: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Runs `calworker ARGS` to completion and returns (exit status, stdout, stderr).
    public static func run(_ arguments: [String], databaseURL: String, environment: [String: String] = [:],
                           timeout: Double = 120) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try CalworkerProcess(arguments, databaseURL: databaseURL, environment: environment)
        guard let status = child.wait(timeout: timeout) else {
            child.signal(SIGKILL)
            return (-1, child.standardOutput, child.standardError + "\n(killed after \(timeout)s)")
        }
        return (status, child.standardOutput, child.standardError)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
