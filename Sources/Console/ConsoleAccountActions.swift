public import Postgres

/// What the console asks of the rest of calworker when an operator acts on an account: the
/// job kinds live above this module, so the command that starts the console supplies them.
public struct ConsoleAccountActions: Sendable {
    /// Queues a sync of the account now; returns the job's id (an existing queued one when
    /// its unique key holds).
    public var syncNow: @Sendable (_ accountID: Int64, _ db: PostgresConnection) throws -> Int64
    /// After the account was disabled or enabled: its push channels' upkeep.
    public var stateChanged: @Sendable (_ accountID: Int64, _ db: PostgresConnection) throws -> Void

    public init(
        syncNow: @escaping @Sendable (Int64, PostgresConnection) throws -> Int64,
        stateChanged: @escaping @Sendable (Int64, PostgresConnection) throws -> Void
    ) {
        self.syncNow = syncNow
        self.stateChanged = stateChanged
    }
}
