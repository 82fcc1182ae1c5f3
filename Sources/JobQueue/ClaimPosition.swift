/// Where a job sits in its queue's claim order: priority, due time (microseconds since the
/// epoch, exact), id. A claim that starts after the last position a worker took skips the
/// claim index's entries for jobs claimed before, which stay in the index, dead, until vacuum:
/// during a drain of 1,000,000 jobs a claim from the start of the index read 3,655 pages of
/// them and took 9 ms instead of 0.3 ms.
public struct ClaimPosition: Sendable, Equatable, Comparable {
    public var priority: Int
    public var dueMicros: Int64
    public var id: Int64

    public init(priority: Int, dueMicros: Int64, id: Int64) {
        self.priority = priority
        self.dueMicros = dueMicros
        self.id = id
    }

    public static func < (a: ClaimPosition, b: ClaimPosition) -> Bool {
        (a.priority, a.dueMicros, a.id) < (b.priority, b.dueMicros, b.id)
    }
}
