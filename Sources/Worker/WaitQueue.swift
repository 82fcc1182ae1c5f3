import Foundation
import JobQueue

/// A FIFO that blocks takers until an item arrives or the queue is closed: how the producer
/// hands jobs to slot threads and slots hand results to the completer.
///
/// `@unchecked Sendable`: `items` and `closed` are only touched while `condition` is locked.
final class WaitQueue<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var head = 0
    private var closed = false

    func put(_ item: Item) {
        condition.lock()
        items.append(item)
        condition.unlock()
        condition.signal()
    }

    func put(contentsOf newItems: [Item]) {
        guard !newItems.isEmpty else { return }
        condition.lock()
        items.append(contentsOf: newItems)
        condition.unlock()
        if newItems.count == 1 { condition.signal() } else { condition.broadcast() }
    }

    /// Waits for one item; nil once closed and empty.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        return popLocked()
    }

    /// Waits up to `timeout` for at least one item, then takes up to `limit`.
    func takeBatch(limit: Int, timeout: Duration) -> [Item] {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date.after(timeout)
        while head == items.count && !closed {
            if !condition.waitBounded(until: deadline) { break }
        }
        var batch: [Item] = []
        while batch.count < limit, let item = popLocked() { batch.append(item) }
        return batch
    }

    private func popLocked() -> Item? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head
    }

    /// Takes everything queued now without waiting (shutdown: jobs no slot has started).
    func drainAll() -> [Item] {
        condition.lock()
        defer { condition.unlock() }
        var all: [Item] = []
        while let item = popLocked() { all.append(item) }
        return all
    }

    var isClosedAndEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed && head == items.count
    }

    /// Wakes every taker; `take` returns nil once the queue is empty.
    func close() {
        condition.lock()
        closed = true
        condition.unlock()
        condition.broadcast()
    }
}
