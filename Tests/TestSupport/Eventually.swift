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
