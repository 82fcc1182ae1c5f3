import JobArgs
public import JobQueue
public import Postgres

/// What an operator's change to an account (disabled, enabled, a calendar excluded or
/// included) asks of its push channels: an upkeep job, when push is configured or the account
/// still has live channels to stop. The command line and the console both call this; neither
/// calls the provider itself.
public enum ChannelUpkeep {
    public static func queue(accountID: Int64, pushConfigured: Bool, queue: JobQueue, on db: PostgresConnection) throws {
        let live = try PushChannelStore().channels(accountID: accountID, includeEnded: false, on: db)
        guard pushConfigured || !live.isEmpty else { return }
        _ = try queue.enqueue(WatchChannelsArgs(.account(accountID)), on: db)
    }
}
