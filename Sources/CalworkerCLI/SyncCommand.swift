import Accounts
import CalendarSync
import Configuration
import Foundation
import MirrorPlanner

enum SyncCommand {
    static let command = Command(
        name: "sync",
        summary: "Show the mirror writes the next sync of an account's group would make, without making them",
        usage: "sync plan --account ID [--as-of TIME]",
        details: """
        A dry run over the local copy (as of the last sync): inserts, patches, restores and
        deletes of busy blocks, by target calendar. Nothing is written, nothing is sent to Google.
        """,
        options: [
            .value("account", "ID", "an account of the sync group"),
            .value("as-of", "TIME", "plan as if it were this time (ISO 8601), e.g. to preview the window moving"),
        ]
    ) { arguments, context in
        guard arguments.positionals.first == "plan" else { throw CLIError(.usage, "usage: calworker sync plan --account ID") }
        let account = try CalendarsCommand.accountID(arguments)
        let db = try context.connectCurrent()
        _ = try AccountStore(cipher: nil).account(id: account, on: db)
        let settings = GoogleSettings(apiURL: context.configuration.googleAPIURL, tokenURL: context.configuration.googleTokenURL,
                                      clientID: context.configuration.googleClientID, clientSecret: context.configuration.googleClientSecret)
        var now = Date()
        if let text = arguments.value("as-of") {
            guard let date = TimeText.parse(text) else { throw CLIError(.usage, "--as-of must be an ISO 8601 time like 2026-11-22T06:00:00Z") }
            now = date
        }
        let writes = try GroupMirroring(accountID: account, settings: settings, store: AccountStore(cipher: nil), db: db,
                                        metrics: context.metrics, shouldAbort: { false }, now: now).plan()
        struct Row: Encodable { var action: String, accountId: Int64, calendarId: String, eventId: String, source: String? }
        let rows = writes.map { Row(action: $0.action.rawValue, accountId: $0.target.accountID, calendarId: $0.target.calendarID,
                                    eventId: $0.eventID, source: $0.mirror?.source) }
        context.emit(rows) {
            if rows.isEmpty { return "nothing to write: the group's calendars are converged (as of the last sync)" }
            var table = Table(headers: ["ACTION", "ACCOUNT", "CALENDAR", "MIRROR", "SOURCE"])
            for row in rows { table.add([row.action, String(row.accountId), row.calendarId, row.eventId, row.source ?? "-"]) }
            return table.render() + "\n\(rows.count) write(s)"
        }
        return .ok
    }
}
