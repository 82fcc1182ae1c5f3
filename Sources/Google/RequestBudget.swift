import Foundation

/// A token bucket: at most `perMinute` requests a minute, with a burst of a tenth of that.
/// Google allows 600 requests a minute per user; staying below it means a big sync slows
/// down instead of collecting 403s.
public final class RequestBudget {
    private let ratePerSecond: Double
    private let capacity: Double
    private var tokens: Double
    private var last = ContinuousClock.now
    /// Total time spent waiting for the budget (a figure on the run record).
    public private(set) var waited: Duration = .zero

    public init(perMinute: Int) {
        ratePerSecond = Double(max(1, perMinute)) / 60
        capacity = max(1, Double(perMinute) / 10)
        tokens = capacity
    }

    /// Takes one request's worth, sleeping until there is one. Returns false if `shouldAbort`
    /// said stop while waiting.
    public func acquire(shouldAbort: () -> Bool) -> Bool {
        while true {
            let now = ContinuousClock.now
            tokens = min(capacity, tokens + (now - last).seconds * ratePerSecond)
            last = now
            if tokens >= 1 {
                tokens -= 1
                return true
            }
            if shouldAbort() { return false }
            let wait = min(0.1, (1 - tokens) / ratePerSecond)
            Thread.sleep(forTimeInterval: wait)
            waited += .milliseconds(Int64(wait * 1000))
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
