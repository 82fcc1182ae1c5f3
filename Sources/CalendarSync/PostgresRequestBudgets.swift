import Foundation
import Google
import Postgres
import Synchronization

/// The accounts' request budgets in `calworker.request_budgets`, shared by every worker: one
/// bucket per account, taken from by `calworker.take_request_budget` under a row lock.
///
/// One connection per process, opened when first needed and reopened after a failure, kept
/// apart from the jobs' sessions: a take inside a sync's open transaction would hold the
/// account's row lock, and every other process's take, until that transaction ends.
public final class PostgresRequestBudgets: SharedRequestBudgets {
    private let conninfo: String
    private let preparedStatements: Bool
    private let connection = Mutex<PostgresConnection?>(nil)
    /// After a failure, the table is not tried again for a while (the local buckets stand in).
    private let retryAfter = Mutex<ContinuousClock.Instant?>(nil)

    public init(conninfo: String, preparedStatements: Bool = true) {
        self.conninfo = conninfo
        self.preparedStatements = preparedStatements
    }

    deinit { connection.withLock { $0?.close() } }

    public func take(_ wanted: Int, account: Int64, capacity: Double, perSecond: Double) throws -> SharedBudgetAnswer {
        if let until = retryAfter.withLock({ $0 }), ContinuousClock.now < until {
            throw PostgresError(.connectionFailed, "the shared request budgets were unreachable a moment ago")
        }
        do {
            return try connection.withLock { slot throws -> SharedBudgetAnswer in
                if slot == nil { slot = try PostgresConnection.connect(conninfo, preparedStatements: preparedStatements, connectTimeout: 5) }
                do {
                    let row = try slot!.query("SELECT granted, wait_seconds FROM calworker.take_request_budget($1, $2, $3, $4)",
                                              [account, capacity, perSecond, wanted], prepared: true)
                    guard let first = row.first else { throw PostgresError(.decoding, "take_request_budget returned no row") }
                    return SharedBudgetAnswer(granted: try first.decode(at: 0), waitSeconds: try first.decode(at: 1))
                } catch {
                    slot?.close()
                    slot = nil
                    throw error
                }
            }
        } catch {
            retryAfter.withLock { $0 = ContinuousClock.now + .seconds(10) }
            throw error
        }
    }
}
