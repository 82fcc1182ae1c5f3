/// Requests of the last 60 seconds, counted in one-second buckets: the per-project quota
/// sees every API request, so at 10,000 a minute a list of timestamps (as the per-user limit
/// keeps) would be filtered and copied on each one. A bucket is reused once its second is a
/// minute old, so the window is 60 whole seconds and adding is constant time.
struct RequestWindow: Sendable {
    private var seconds = [Int64](repeating: .min, count: 60)
    private var counts = [Int](repeating: 0, count: 60)

    /// Counts one request in `second` (seconds since the epoch) and returns how many the
    /// window now holds, this one included.
    mutating func add(second: Int64) -> Int {
        let slot = Int(second.floorModulo(60))
        if seconds[slot] != second {
            seconds[slot] = second
            counts[slot] = 0
        }
        counts[slot] += 1
        var total = 0
        for index in 0..<60 where seconds[index] > second - 60 && seconds[index] <= second { total += counts[index] }
        return total
    }
}

extension Int64 {
    /// The remainder that is never negative (a clock before 1970 still finds a bucket).
    fileprivate func floorModulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
