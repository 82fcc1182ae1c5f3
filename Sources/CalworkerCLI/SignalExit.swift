import Basics
import Configuration
import Foundation
import JobQueue
import Synchronization
import Worker

/// How a command that does not drain work ends on SIGTERM or SIGINT: at once, whatever call is
/// blocked (a database that accepted the connection and never answers used to hold `queue`,
/// `migrate` and the rest until SIGKILL). The server rolls back whatever the dropped session
/// had not committed.
enum SignalExit {
    /// Installs the handlers for the rest of the process. Exit status 128 + the signal's
    /// number, as a shell reports a process a signal ended.
    static func install() {
        let installed = SignalTrap.install { signal in
            if let handler = takenOver.withLock({ $0 }) {
                handler(signal)
            } else {
                exitNow(signal, because: "stopped by \(signal == SIGTERM ? "SIGTERM" : "SIGINT")")
            }
        }
        sources = installed
    }

    /// From now on, signals call `handler` instead of ending the process (a loop that stops
    /// between passes); installed from the start, so a signal during start-up still ends it.
    static func takeOver(_ handler: @escaping @Sendable (Int32) -> Void) {
        takenOver.withLock { $0 = handler }
    }

    private static let takenOver = Mutex<(@Sendable (Int32) -> Void)?>(nil)

    /// Says why on stderr and ends the process without running anything else (other threads
    /// may hold locks that exit handlers would wait for).
    static func exitNow(_ signal: Int32, because reason: String) -> Never {
        let line = "calworker: \(reason); exiting\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        _exit(128 + signal)
    }

    /// Whether a command line runs a command that drains its work on a signal itself.
    static func commandHandlesSignals(_ arguments: [String]) -> Bool {
        arguments.first == "work"
    }

    /// The dispatch sources, kept for the life of the process. `nonisolated(unsafe)`: written
    /// once, by `install`, on the main thread before the command starts any other thread, and
    /// never read.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
}

/// Makes sure a worker asked to stop does stop: after the grace period (and a margin for the
/// hand-back), or soon after a second signal, the process exits even if a thread is stuck in a
/// call that never returns. Nothing is lost: whatever it held is rescued when its lease expires.
final class StopWatchdog: Sendable {
    private let gracePeriod: Duration
    private let signals = Mutex(0)

    init(gracePeriod: Duration) { self.gracePeriod = gracePeriod }

    /// Counts a signal and arms the deadline it brings: the grace period and ten seconds while
    /// jobs are in hand (`holding`), five seconds when there is nothing to drain or after a
    /// second signal; a third ends the process at once.
    func signalled(_ signal: Int32, holding: Int) {
        let count = signals.withLock { count in
            count += 1
            return count
        }
        let limit: Duration = count == 1 && holding > 0 ? gracePeriod + .seconds(10) : .seconds(5)
        if count >= 3 { SignalExit.exitNow(signal, because: "a third signal") }
        let thread = Thread {
            Thread.sleep(forTimeInterval: limit.seconds)
            SignalExit.exitNow(signal, because: "the worker did not stop within \(DurationText.describe(limit)) of the signal")
        }
        thread.name = "calworker-stop-watchdog"
        thread.start()
    }
}
