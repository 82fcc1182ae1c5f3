public import Basics
import Foundation

/// Writes an exposition for node_exporter's textfile collector: to a temporary file in the
/// same directory, then `rename`, so the collector never reads a half-written file (the
/// procedure node_exporter's documentation prescribes).
public enum MetricsTextfile {
    public struct WriteError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    public static func write(_ text: String, to path: String) throws(WriteError) {
        guard path.hasSuffix(".prom") else {
            throw WriteError(message: "\(path): node_exporter's textfile collector reads only files ending in .prom")
        }
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(text.utf8).write(to: temporary)
            // The collector runs as another user; the file must be readable by it.
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: temporary.path)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(message: "cannot write \(temporary.path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(message: "cannot rename \(temporary.path) to \(target.path): \(reason)")
        }
    }
}

extension MetricsTextfile.WriteError: CalworkerError {
    public var errorCode: String { "textfile" }
    public var isRetryable: Bool { false }
}
