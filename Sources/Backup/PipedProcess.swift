import Foundation

/// A PostgreSQL tool run as a child process: its standard output readable as a pipe (pg_dump's
/// dump, streamed), its standard error kept in a file for the error message, its environment
/// given explicitly (the password goes there, not on the command line, where `ps` shows it).
final class PipedProcess {
    let pid: pid_t
    let name: String
    /// The read end of the child's standard output, when it was asked for.
    private(set) var output: Int32 = -1
    private let errorPath: String
    private var reaped: Int32?

    /// - Parameter pipeOutput: true to read the child's standard output; else it goes to /dev/null.
    init(_ arguments: [String], environment: [String: String], pipeOutput: Bool) throws(BackupError) {
        name = (arguments[0] as NSString).lastPathComponent
        errorPath = NSTemporaryDirectory() + "/calworker-\(name)-\(UUID().uuidString).err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var ends: [Int32] = [-1, -1]
        if pipeOutput {
            // Close-on-exec on both ends: no other child may inherit them (a stray write end
            // would keep the pipe from ever reaching end of file). Glibc's pipe2 is not
            // visible to Swift, hence fcntl right after.
            guard pipe(&ends) == 0 else { throw BackupError(.failed, "cannot make a pipe for \(name): \(String(cString: strerror(errno)))") }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let result = posix_spawnp(&child, arguments[0], &actions, nil, argv, envp)
        if pipeOutput { close(ends[1]) }
        guard result == 0 else {
            if pipeOutput { close(ends[0]) }
            throw BackupError(
                .invalid,
                "cannot start \(arguments[0]): \(String(cString: strerror(result))); install the PostgreSQL client "
                    + "(apt install postgresql-client) or set CALWORKER_PG_BIN")
        }
        pid = child
        output = ends[0]
    }

    deinit {
        if output >= 0 { close(output) }
        if reaped == nil {
            kill(pid, SIGKILL)
            _ = wait()
        }
        unlink(errorPath)
    }

    /// Reads the next bytes of the child's output into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(BackupError) -> Int {
        while true {
            let count = Foundation.read(output, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw BackupError(.failed, "reading \(name)'s output: \(String(cString: strerror(errno)))")
        }
    }

    /// Stops the child (the job was asked to stop).
    func terminate() { if reaped == nil { kill(pid, SIGTERM) } }

    /// Waits for the child; its exit status (128 + signal when killed).
    @discardableResult
    func wait() -> Int32 {
        if let reaped { return reaped }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let signal = raw & 0x7f
        let status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        reaped = status
        return status
    }

    /// The end of what the child wrote to standard error (its error message).
    var errorOutput: String {
        let text = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return String(text.trimmingCharacters(in: .whitespacesAndNewlines).suffix(2000))
    }

    /// Runs to completion; throws with the child's own message when it fails.
    static func run(_ arguments: [String], environment: [String: String]) throws(BackupError) -> String {
        let process = try PipedProcess(arguments, environment: environment, pipeOutput: false)
        let status = process.wait()
        guard status == 0 else {
            throw BackupError(.failed, "\(process.name) exited with status \(status): \(process.errorOutput)")
        }
        return process.errorOutput
    }
}
