import Jobs
import Postgres
import Push

extension CommandContext {
    /// Queues the account's channel upkeep after an operator changed what it should watch.
    func queueChannelUpkeep(accountID: Int64, on db: PostgresConnection) throws {
        try ChannelUpkeep.queue(accountID: accountID, pushConfigured: registryEnvironment.push != nil, queue: queue, on: db)
    }
}
