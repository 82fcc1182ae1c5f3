import Foundation
import ICalendar
import TestSupport

/// What the tests that hand feeds to other programs share: a feed in bytes, and Python run on it.
enum FeedTestSupport {
    struct PythonFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `script` with python3 on the feed; returns its standard output.
    static func python(_ script: String, feed: [UInt8]) throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-ics-\(UUID().uuidString)").path
        defer { for suffix in [".ics", ".py", ".out", ".err"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
        try Data(feed).write(to: URL(fileURLWithPath: base + ".ics"))
        try script.write(toFile: base + ".py", atomically: true, encoding: .utf8)
        let child = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["python3", base + ".py", base + ".ics"],
            environment: ProcessInfo.processInfo.environment, stdout: base + ".out", stderr: base + ".err")
        let status = child.wait(timeout: 120)
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw PythonFailed(
                description: "python3 failed (\(String(describing: status))): \((try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")")
        }
        return output
    }

    static func feed(_ events: [FeedEvent], detail: FeedDetail = .full(attendees: false), range: ClosedRange<Date>) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let writer = FeedWriter(name: "test", detail: detail, range: range) { bytes += $0 }
        try writer.begin()
        try writer.write(events: events)
        try writer.finish()
        return bytes
    }
}
