import Accounts
import Basics
import Crypto
import Foundation
import Postgres
import RequestBudgets
import Synchronization
import TestSupport
import Testing

/// The budgets in PostgreSQL: two connections stand for two worker processes writing as one
/// account. The refill rate is set so low (one request's worth per 1,000 s) that what is
/// granted is the bucket's capacity exactly, whatever the timing.
@Suite struct PostgresRequestBudgetsTests {
    let database: TestDatabase
    let db: PostgresConnection
    let account: Int64
    static let slow = 0.001

    init() throws {
        database = try TestDatabase.make()
        db = try database.connect()
        let cipher = TokenCipher(current: try TokenCipher.Key(base64: Data(repeating: 7, count: 32).base64EncodedString()))
        account = try AccountStore(cipher: cipher).add(email: "ada@example.com", owner: "user-1", refreshToken: "rt", on: db).id
    }

    @Test func processesTakingAtOnceNeverGetMoreThanTheBucketHolds() throws {
        let first = PostgresRequestBudgets(conninfo: database.url)
        let second = PostgresRequestBudgets(conninfo: database.url)
        let granted = Mutex(0)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { thread in
            let budgets = thread.isMultiple(of: 2) ? first : second
            while true {
                do {
                    let answer = try budgets.take(3, account: account, capacity: 200, perSecond: Self.slow)
                    if answer.granted == 0 { return }
                    granted.withLock { $0 += answer.granted }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                    return
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        #expect(granted.withLock { $0 } == 200, "six takers on two connections shared one bucket of 200")
        let refused = try first.take(1, account: account, capacity: 200, perSecond: Self.slow)
        #expect(refused.granted == 0 && refused.waitSeconds > 100, "empty: the next request's worth is about 1,000 s away (\(refused.waitSeconds))")
    }

    @Test func clientsOfTwoProcessesShareTheAccountsBudgetAndOtherAccountsKeepTheirOwn() throws {
        let other = try AccountStore(cipher: TokenCipher(current: try TokenCipher.Key(base64: Data(repeating: 7, count: 32).base64EncodedString())))
            .add(email: "bob@example.com", owner: "user-1", refreshToken: "rt", on: db).id
        func requests(_ budget: RequestBudget) -> Int {
            var count = 0
            while budget.acquire(shouldAbort: { true }) == .granted { count += 1 }
            return count
        }
        let processA = PostgresRequestBudgets(conninfo: database.url)
        let processB = PostgresRequestBudgets(conninfo: database.url)
        func budget(_ shared: PostgresRequestBudgets, _ account: Int64) -> RequestBudget {
            RequestBudget(perMinute: 60, shared: SlowRefill(inner: shared), account: account)
        }
        #expect(requests(budget(processA, account)) == 6, "a burst of a tenth of the minute's 60")
        #expect(requests(budget(processB, account)) == 0, "the other process finds the account's budget spent")
        #expect(requests(budget(processB, other)) == 6, "another account's budget is its own")
        // Without sharing, each client had the whole burst again.
        #expect(requests(RequestBudget(perMinute: 60)) + requests(RequestBudget(perMinute: 60)) == 12)
    }

    @Test func aPauseGoogleAskedForHoldsForEveryProcessAndOnlyForThatAccount() throws {
        let other = try AccountStore(cipher: TokenCipher(current: try TokenCipher.Key(base64: Data(repeating: 7, count: 32).base64EncodedString())))
            .add(email: "carol@example.com", owner: "user-1", refreshToken: "rt", on: db).id
        let processA = PostgresRequestBudgets(conninfo: database.url)
        let processB = PostgresRequestBudgets(conninfo: database.url)
        let paused = RequestBudget(perMinute: 600, shared: processA, account: account)
        #expect(paused.acquire(shouldAbort: { false }) == .granted)
        paused.pause(for: .seconds(3600))
        // Another process's client of the same account learns of the pause from the table.
        let elsewhere = RequestBudget(perMinute: 600, shared: processB, account: account)
        guard case .later(let wait) = elsewhere.acquire(shouldAbort: { false }) else {
            Issue.record("expected the paused account's budget to say later")
            return
        }
        #expect(wait > .seconds(3500) && wait <= .seconds(3601), "\(wait)")
        #expect(RequestBudget(perMinute: 600, shared: processB, account: other).acquire(shouldAbort: { false }) == .granted)
        // A shorter pause never shortens a longer one already set.
        paused.pause(for: .seconds(10))
        guard case .later(let still) = RequestBudget(perMinute: 600, shared: processB, account: account).acquire(shouldAbort: { false }) else {
            Issue.record("expected the longer pause to hold")
            return
        }
        #expect(still > .seconds(3500))
    }

    @Test func anUnreachableTableLeavesTheLocalBucketInCharge() throws {
        let nowhere = PostgresRequestBudgets(conninfo: "host=/nonexistent port=1 user=x dbname=x")
        let budget = RequestBudget(perMinute: 600, shared: nowhere, account: account)
        #expect(budget.acquire(shouldAbort: { true }) == .granted, "granted from the local bucket")
        #expect(budget.acquire(shouldAbort: { true }) == .granted)
        #expect(budget.sharedFailures == 2, "each failure is counted (the second one without a connection attempt)")
    }
}

/// The same table and function, with the refill slowed so counts do not depend on timing.
struct SlowRefill: SharedRequestBudgets {
    let inner: PostgresRequestBudgets

    func take(_ wanted: Int, account: Int64, capacity: Double, perSecond: Double) throws -> SharedBudgetAnswer {
        try inner.take(wanted, account: account, capacity: capacity, perSecond: PostgresRequestBudgetsTests.slow)
    }
}
