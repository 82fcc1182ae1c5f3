import Basics
import Foundation

/// A token bucket: at most `perMinute` requests a minute, with a burst of a tenth of that.
/// Google allows 600 requests a minute per user; staying below it means a big sync slows
/// down instead of collecting 403s.
///
/// With `shared`, the bucket is the account's one bucket for every process (kept in
/// PostgreSQL): two workers writing as the same account then share its budget instead of
/// each spending all of it. Requests' worth is taken a few at a time to keep the round trips
/// few. When the shared bucket cannot be reached, the process's own bucket stands in, so an
/// unreachable table slows nothing down that Google would not.
public final class RequestBudget {
    private let ratePerSecond: Double
    private let capacity: Double
    private var tokens: Double
    private var last = ContinuousClock.now
    private let shared: (budgets: any SharedRequestBudgets, account: Int64)?
    /// The OAuth project's bucket, taken from together with the account's (shared only).
    private let project: ProjectBudget?
    /// The longest pause a server's answer sets: a day, whatever it asked for.
    static let longestPause: Double = 86_400
    /// Requests' worth taken from the shared bucket and not spent yet.
    private var held = 0
    /// Total time spent waiting for the budget (a figure on the run record).
    public private(set) var waited: Duration = .zero
    /// Times the shared bucket could not be reached and the local one was used instead.
    public private(set) var sharedFailures = 0

    public init(perMinute: Int, shared: (any SharedRequestBudgets)? = nil, account: Int64 = 0, project: ProjectBudget? = nil) {
        ratePerSecond = Double(max(1, perMinute)) / 60
        capacity = max(1, Double(perMinute) / 10)
        tokens = capacity
        self.shared = shared.map { ($0, account) }
        self.project = project
    }

    /// How many requests' worth one round trip to the shared bucket takes: a hundredth of the
    /// minute's budget (5 at 500/min), so a process never sits on much another one could use.
    var batch: Int { max(1, Int(ratePerSecond * 60 / 100)) }

    /// What `acquire` came to.
    public enum Grant: Sendable, Equatable {
        /// One request's worth: send it.
        case granted
        /// `shouldAbort` said stop while waiting.
        case stopped
        /// The next request's worth is further off than an attempt sleeps (`AttemptWaits`): the
        /// budget is paused (Google asked the account to wait). Try again after this long.
        case later(Duration)
    }

    /// Takes one request's worth, sleeping until there is one as long as `AttemptWaits` allows.
    public func acquire(shouldAbort: () -> Bool) -> Grant {
        guard let shared else { return acquireLocally(shouldAbort: shouldAbort) }
        while true {
            if held > 0 {
                held -= 1
                return .granted
            }
            let answer: SharedBudgetAnswer
            do {
                if let project {
                    answer = try shared.budgets.take(
                        batch, account: shared.account, capacity: capacity, perSecond: ratePerSecond, project: project)
                } else {
                    answer = try shared.budgets.take(batch, account: shared.account, capacity: capacity, perSecond: ratePerSecond)
                }
            } catch {
                sharedFailures += 1
                return acquireLocally(shouldAbort: shouldAbort)
            }
            if answer.granted > 0 {
                held = answer.granted
                continue
            }
            if shouldAbort() { return .stopped }
            if case .later(let wait) = AttemptWaits.decide(.milliseconds(Int64(min(86_400, answer.waitSeconds) * 1000))) {
                return .later(wait)
            }
            let wait = min(0.1, max(0.005, answer.waitSeconds))
            Thread.sleep(forTimeInterval: wait)
            waited += .milliseconds(Int64(wait * 1000))
        }
    }

    private func acquireLocally(shouldAbort: () -> Bool) -> Grant {
        while true {
            let now = ContinuousClock.now
            tokens = min(capacity, tokens + (now - last).seconds * ratePerSecond)
            last = now
            if tokens >= 1 {
                tokens -= 1
                return .granted
            }
            if shouldAbort() { return .stopped }
            let needed = (1 - tokens) / ratePerSecond
            if case .later(let wait) = AttemptWaits.decide(.milliseconds(Int64(min(86_400, needed) * 1000))) { return .later(wait) }
            let wait = min(0.1, needed)
            Thread.sleep(forTimeInterval: wait)
            waited += .milliseconds(Int64(wait * 1000))
        }
    }

    /// Google asked this account to wait `wait` (a `Retry-After` longer than an attempt
    /// sleeps): no request of the account goes out before then, from this process or (shared)
    /// any other, so the next attempts snooze instead of asking again. The bucket is emptied
    /// below zero by the wait's worth; it refills as usual.
    public func pause(for wait: Duration) {
        let seconds = min(Self.longestPause, max(0, wait.seconds))
        tokens = min(tokens, 1 - seconds * ratePerSecond)
        last = ContinuousClock.now
        held = 0
        guard let shared else { return }
        do {
            try shared.budgets.pause(account: shared.account, seconds: seconds, perSecond: ratePerSecond)
        } catch {
            // The local bucket holds the pause for this process; others learn of it from Google.
            sharedFailures += 1
        }
    }
}

/// What the shared bucket gave: some requests' worth, or none and how long until one is.
public struct SharedBudgetAnswer: Sendable, Equatable {
    public var granted: Int
    public var waitSeconds: Double

    public init(granted: Int, waitSeconds: Double) {
        self.granted = granted
        self.waitSeconds = waitSeconds
    }
}

/// The budget of the OAuth project every account's requests count against: Google allows
/// 10,000 requests a minute per project, so a fan-out over thousands of accounts must slow
/// down as a whole, not only per account.
public struct ProjectBudget: Sendable, Equatable {
    /// Names the project's bucket (the OAuth client id).
    public var key: String
    public var perMinute: Int

    public init(key: String, perMinute: Int) {
        self.key = key.isEmpty ? "default" : key
        self.perMinute = max(1, perMinute)
    }

    public var perSecond: Double { Double(perMinute) / 60 }
    /// A tenth of the minute as a burst, as for accounts: within any minute at most 1.1 times
    /// the rate, still below Google's limit at the default 9,000.
    public var capacity: Double { max(1, Double(perMinute) / 10) }
}

/// Token buckets every process shares, one per account and one per OAuth project (calworker
/// keeps them in PostgreSQL). Called from whichever thread a sync or mirror lane runs on.
public protocol SharedRequestBudgets: Sendable {
    /// Takes up to `wanted` requests' worth of `account`'s bucket, which holds at most
    /// `capacity` and refills at `perSecond`. Throws when the bucket cannot be reached.
    func take(_ wanted: Int, account: Int64, capacity: Double, perSecond: Double) throws -> SharedBudgetAnswer

    /// The same, granting only what both the account's and the project's bucket hold.
    func take(_ wanted: Int, account: Int64, capacity: Double, perSecond: Double, project: ProjectBudget) throws -> SharedBudgetAnswer

    /// Empties `account`'s bucket so that nothing is granted for `seconds` (refilling at
    /// `perSecond`): Google asked the account to wait.
    func pause(account: Int64, seconds: Double, perSecond: Double) throws
}

extension SharedRequestBudgets {
    /// Buckets without a project's (test doubles) take from the account's alone.
    public func take(_ wanted: Int, account: Int64, capacity: Double, perSecond: Double, project: ProjectBudget) throws -> SharedBudgetAnswer {
        try take(wanted, account: account, capacity: capacity, perSecond: perSecond)
    }

    /// Buckets that cannot pause (test doubles) leave it to the local bucket.
    public func pause(account: Int64, seconds: Double, perSecond: Double) throws {}
}
