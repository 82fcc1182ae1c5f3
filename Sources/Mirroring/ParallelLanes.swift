import Basics
import Foundation

/// Runs blocking bodies at once, each on a thread of its own, and waits for all of them.
///
/// Mirror writes for different target accounts are independent and each account has its own
/// request budget, so running them side by side divides the wall time of a large group's first
/// convergence by the number of accounts. The bodies block (libcurl, libpq): they run on
/// dedicated threads, never on Swift's cooperative pool.
enum ParallelLanes {
    /// Returns each body's outcome in the order given. The caller's thread runs the first body.
    static func run<T>(_ bodies: [() throws -> T]) -> [Result<T, any Error>] {
        guard let first = bodies.first else { return [] }
        let lanes = bodies.dropFirst().map { Lane(body: $0) }
        for lane in lanes { lane.start() }
        let own = Result { try first() }
        return [own] + lanes.map { $0.result() }
    }

    /// One body on its own thread.
    ///
    /// `@unchecked Sendable`: `body` is called by exactly one thread (the lane's), and
    /// `outcome` is written by that thread before `done` is signalled and read by the caller
    /// only after waiting for it.
    private final class Lane<T>: @unchecked Sendable {
        private let body: () throws -> T
        private var outcome: Result<T, any Error>?
        private let done = DispatchSemaphore(value: 0)

        init(body: @escaping () throws -> T) { self.body = body }

        func start() {
            // The attempt's deadline holds on the lane too, so its waits end in time.
            let deadline = AttemptWaits.deadline
            let thread = Thread { [self] in
                outcome = AttemptWaits.$deadline.withValue(deadline) { Result { try body() } }
                done.signal()
            }
            thread.name = "calworker-mirror-lane"
            thread.stackSize = 1 << 20
            thread.start()
        }

        func result() -> Result<T, any Error> {
            done.wait()
            return outcome!
        }
    }
}
