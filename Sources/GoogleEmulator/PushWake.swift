import Foundation

/// Wakes the push deliverers when a message is queued or a channel's next message becomes
/// deliverable, so delivery starts within milliseconds rather than at the next poll.
///
/// A counting semaphore: a signal given while every deliverer is busy is not lost, and an
/// extra one costs a deliverer one look at the queue.
final class PushWake: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    func signal() { semaphore.signal() }

    /// Waits for a signal or until `deadline`.
    func wait(until deadline: DispatchTime) { _ = semaphore.wait(timeout: deadline) }
}
