import Foundation

/// Polls `condition` until it holds or `timeout` passes; returns whether it held. For waiting
/// on another process or thread, never as a timing assertion.
public func eventually(timeout: Double = 30, every interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return try condition()
}

/// Runs `body` on a thread of its own and returns its result, or nil when it has not returned
/// after `timeout` seconds (the thread is left behind). For calls that must not hang, so a
/// regression fails the test instead of hanging the whole run; never as a timing assertion.
public func returns<T: Sendable>(within timeout: Double = 60, _ body: @escaping @Sendable () -> T) -> T? {
    let result = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        result.set(body())
        done.signal()
    }
    thread.start()
    guard done.wait(timeout: .now() + timeout) == .success else { return nil }
    return result.get()
}

final class ResultBox<T: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `value` is written once before the semaphore is signalled and read
    // after it was waited for.
    private var value: T?
    func set(_ new: T) { value = new }
    func get() -> T? { value }
}
