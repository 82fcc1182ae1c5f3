import Foundation

/// Runs `body(0..<count)` on `count` threads at once and waits for all of them: for tests of
/// what happens when workers, enqueuers or migrations race.
public func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            body(index)
            group.leave()
        }.start()
    }
    group.wait()
}

/// A list many threads append to.
public final class SharedList<Element: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `items` is only touched under `lock`.
    private let lock = NSLock()
    private var items: [Element] = []
    public init() {}
    public func append(_ item: Element) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }
    public var values: [Element] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
