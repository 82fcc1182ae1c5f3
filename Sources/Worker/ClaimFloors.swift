import JobQueue

/// Where each queue's next claim starts. While a queue has a backlog (the last claim came back
/// full), the next claim starts after the last job taken, skipping the dead index entries of
/// the jobs claimed before (see `ClaimPosition`); at least every `fullScanEvery`, and whenever a
/// claim comes back short, a claim starts from the top, so a job enqueued more urgent than the
/// backlog's position, or put back behind it, waits at most that long.
struct ClaimFloors {
    static let fullScanEvery: Duration = .seconds(1)

    private var floors: [String: (after: ClaimPosition, fullScanAt: ContinuousClock.Instant)] = [:]

    /// The position the next claim of `queue` starts after; nil: from the top.
    func start(for queue: String, now: ContinuousClock.Instant) -> ClaimPosition? {
        guard let floor = floors[queue], now - floor.fullScanAt < Self.fullScanEvery else { return nil }
        return floor.after
    }

    /// Records a claim of `queue` that asked for `wanted` jobs from `start` (nil: the top).
    mutating func record(queue: String, start: ClaimPosition?, claimed: [ClaimedJob], wanted: Int, now: ContinuousClock.Instant) {
        guard claimed.count >= wanted, let last = claimed.compactMap(\.position).max() else {
            floors[queue] = nil
            return
        }
        let fullScanAt = start == nil ? now : (floors[queue]?.fullScanAt ?? now)
        floors[queue] = (max(last, start ?? last), fullScanAt)
    }
}
