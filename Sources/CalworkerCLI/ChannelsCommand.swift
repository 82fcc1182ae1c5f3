import CalendarSync
import Configuration
import Foundation
import Jobs
import Postgres
import Push

enum ChannelsCommand {
    static let command = Command(
        name: "channels",
        summary: "List Google push notification channels: what each watches, its state, expiry and last message",
        usage: "channels list [--account ID] [--all]",
        details: """
            Live channels (pending or active) by default; --all adds stopped, expired and failed
            ones (kept 30 days). An active account without live channels for its calendar list and
            every calendar it syncs has fallen back to five-minute polling; `calworker enqueue
            watch_channels --args '{"account_id": ID}'` tries again (the hourly jobs/watch-channels.json
            does it for every account). Tokens are never shown: only their SHA-256 is kept.
            """,
        options: [
            .value("account", "ID", "only this account's channels"),
            .flag("all", "include stopped, expired and failed channels"),
        ]
    ) { arguments, context in
        let action = arguments.positionals.first ?? "list"
        guard action == "list" else { throw CLIError(.usage, "unknown action '\(action)'; channels has only list") }
        let account = try arguments.value("account").map { text throws(CLIError) in
            guard let id = Int64(text), id > 0 else { throw CLIError(.usage, "--account must be an account's id, got '\(text)'") }
            return id
        }
        let db = try context.connectCurrent()
        let channels = try PushChannelStore().channels(accountID: account, includeEnded: arguments.has("all"), on: db).map(ChannelRow.init)
        context.emit(channels) {
            if channels.isEmpty {
                return context.registryEnvironment.push == nil
                    ? "no channels; push is off (set CALWORKER_PUSH_URL to the receiver's public HTTPS URL)"
                    : "no channels yet; each account's next sync creates them"
            }
            var table = Table(headers: ["CHANNEL", "ACCOUNT", "WATCHES", "STATE", "EXPIRES", "CONFIRMED", "LAST MESSAGE"])
            for channel in channels {
                let last = channel.lastMessageAt.map { "#\(channel.lastMessageNumber) \(Formatting.shortTimestamp($0))" } ?? "none"
                table.add([
                    channel.channelID, String(channel.accountID), channel.watches, channel.state,
                    channel.expiresAt.map { Formatting.shortTimestamp($0) } ?? "-", channel.confirmedAt == nil ? "no" : "yes", last,
                ])
            }
            return table.render()
        }
        return .ok
    }

    /// A channel as `--json` prints it.
    struct ChannelRow: Encodable {
        let channelID: String
        let accountID: Int64
        let watches: String
        let resourceID: String?
        let state: String
        let expiresAt: Date?
        let confirmedAt: Date?
        let lastMessageNumber: Int64
        let lastMessageAt: Date?
        let createdAt: Date
        let endedAt: Date?
        let lastError: String?

        init(_ channel: PushChannel) {
            channelID = channel.channelID
            accountID = channel.accountID
            watches = channel.resource == .calendarList ? "calendar list" : "events of \(channel.resource)"
            resourceID = channel.resourceID
            state = channel.state.rawValue
            expiresAt = channel.expiresAt
            confirmedAt = channel.confirmedAt
            lastMessageNumber = channel.lastMessageNumber
            lastMessageAt = channel.lastMessageAt
            createdAt = channel.createdAt
            endedAt = channel.endedAt
            lastError = channel.lastError
        }
    }
}
