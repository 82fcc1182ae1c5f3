import Foundation
import TestSupport
import Testing

/// The `google-emulator` executable, run as a child process the way the demo runs it.
@Suite struct ExecutableTests {
    /// Beside the test bundle in the build folder (`GOOGLE_EMULATOR_BIN` overrides).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["GOOGLE_EMULATOR_BIN"], !path.isEmpty { return path }
        let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = buildFolder.appendingPathComponent("google-emulator").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return TestEnvironment.packageRoot.appendingPathComponent(".build/debug/google-emulator").path
    }

    static func run(_ arguments: [String]) throws -> (child: ChildProcess, stdout: String, stderr: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("emu-\(UUID().uuidString)").path
        let child = try ChildProcess(
            executable: binary, arguments: arguments, environment: ProcessInfo.processInfo.environment,
            stdout: base + ".out", stderr: base + ".err")
        return (child, base + ".out", base + ".err")
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    @Test func helpPrintsUsage() throws {
        let (child, stdout, _) = try Self.run(["--help"])
        #expect(child.wait(timeout: 10) == 0)
        #expect(Self.read(stdout).hasPrefix("usage: google-emulator"))
    }

    @Test func anUnknownArgumentIsAUsageError() throws {
        let (child, _, stderr) = try Self.run(["--bogus"])
        #expect(child.wait(timeout: 10) == 2)
        #expect(Self.read(stderr).contains("unknown argument --bogus"))
    }

    @Test func itServesTheSeedAndStopsOnSIGTERM() throws {
        let seed = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString).json")
        try Data(#"{"accounts":[{"email":"a@example.com","refresh_token":"rt-a","calendars":[{"primary":true}]}]}"#.utf8).write(to: seed)
        let (child, stdout, stderr) = try Self.run(["--addr", "127.0.0.1:0", "--seed", seed.path])
        defer { child.signal(SIGKILL) }
        var line = ""
        for _ in 0..<500 where line.isEmpty {
            line = Self.read(stdout).split(separator: "\n").first.map(String.init) ?? ""
            if line.isEmpty { Thread.sleep(forTimeInterval: 0.01) }
        }
        #expect(line.hasPrefix("google-emulator listening on http://127.0.0.1:"), "stderr: \(Self.read(stderr))")
        child.signal(SIGTERM)
        #expect(child.wait(timeout: 10) == 0)
    }
}
