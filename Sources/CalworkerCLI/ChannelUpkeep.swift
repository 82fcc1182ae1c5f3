import CalendarSync
import Jobs
import Postgres
import Push
import Worker

extension CommandContext {
    /// Queues the account's channel upkeep after an operator changed what it should watch
    /// (disabled, enabled, a calendar excluded or included), when push is configured or the
    /// account still has live channels; the CLI itself never calls Google.
    func queueChannelUpkeep(accountID: Int64, on db: PostgresConnection) throws {
        let live = try PushChannelStore().channels(accountID: accountID, includeEnded: false, on: db)
        guard registryEnvironment.push != nil || !live.isEmpty else { return }
        _ = try registry.enqueue(WatchChannelsJob.self, .init(.account(accountID)), queue: queue, on: db)
    }
}
