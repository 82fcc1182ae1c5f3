import Foundation
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
    private struct State {
        var connection: PostgresConnection?
        /// After a failure, the table is not tried again for a while (the local buckets stand in).
        var retryAfter: ContinuousClock.Instant?
    }
    private let state = Mutex(State())

    /// A take is one short statement: it waits a few seconds at most, and the local bucket
    /// stands in when it could not.
    private let timeouts: PostgresTimeouts

    public init(conninfo: String, preparedStatements: Bool = true) {
        self.conninfo = conninfo
        self.preparedStatements = preparedStatements
        self.timeouts = PostgresTimeouts(connect: .seconds(5), statement: .seconds(5), lock: .seconds(5), setOnServer: preparedStatements)
    }

    deinit { state.withLock { $0.connection?.close() } }

    public func take(_ wanted: Int, account: Int64, capacity: Double, perSecond: Double) throws -> SharedBudgetAnswer {
        try answer("SELECT granted, wait_seconds FROM calworker.take_request_budget($1, $2, $3, $4)", [account, capacity, perSecond, wanted])
    }

    /// One statement takes from both buckets (the account's row locked first, then the
    /// project's, always in that order), granting what both hold.
    public func take(_ wanted: Int, account: Int64, capacity: Double, perSecond: Double, project: ProjectBudget) throws -> SharedBudgetAnswer {
        try answer(
            "SELECT granted, wait_seconds FROM calworker.take_request_budgets($1, $2, $3, $4, $5, $6, $7)",
            [account, capacity, perSecond, wanted, project.key, project.capacity, project.perSecond])
    }

    /// Sets the account's bucket so that it holds a request's worth again only after `seconds`
    /// (never raising a bucket that is emptier already).
    public func pause(account: Int64, seconds: Double, perSecond: Double) throws {
        _ = try run(
            """
            INSERT INTO calworker.request_budgets AS b (account_id, tokens, refilled_at) VALUES ($1, 1 - $2::float8 * $3::float8, clock_timestamp())
            ON CONFLICT (account_id) DO UPDATE
               SET tokens = least(EXCLUDED.tokens, b.tokens + extract(epoch FROM clock_timestamp() - b.refilled_at) * $3::float8),
                   refilled_at = clock_timestamp()
            """, [account, seconds, perSecond])
    }

    private func answer(_ sql: String, _ parameters: [any PostgresEncodable]) throws -> SharedBudgetAnswer {
        guard let first = try run(sql, parameters).first else {
            throw PostgresError(.decoding, "the request budget function returned no row")
        }
        return SharedBudgetAnswer(granted: try first.decode(at: 0), waitSeconds: try first.decode(at: 1))
    }

    private func run(_ sql: String, _ parameters: [any PostgresEncodable]) throws -> PostgresRows {
        try state.withLock { state throws -> PostgresRows in
            if let until = state.retryAfter, ContinuousClock.now < until {
                throw PostgresError(.connectionFailed, "the shared request budgets were unreachable a moment ago")
            }
            do {
                if state.connection == nil {
                    state.connection = try PostgresConnection.connect(conninfo, preparedStatements: preparedStatements, timeouts: timeouts)
                }
                let rows = try state.connection!.query(sql, parameters, prepared: true)
                state.retryAfter = nil
                return rows
            } catch {
                state.connection?.close()
                state.connection = nil
                state.retryAfter = ContinuousClock.now + .seconds(10)
                throw error
            }
        }
    }
}
