import Accounts
import CalendarSync
import Configuration
import Foundation
import Jobs
import MirrorPlanner
import Mirroring

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
        var now = Date()
        if let text = arguments.value("as-of") {
            guard let date = TimeText.parse(text) else { throw CLIError(.usage, "--as-of must be an ISO 8601 time like 2026-11-22T06:00:00Z") }
            now = date
        }
        let engine = context.registryEnvironment.syncEngine(metrics: context.metrics)
        let writes = try GroupMirroring(
            accountID: account, providers: engine.providers, timeZones: engine.timeZones,
            store: AccountStore(cipher: nil), db: db,
            metrics: context.metrics, shouldAbort: { false }, now: now
        ).plan()
        context.emit(writes.map(CalendarsPolicy.Planned.init)) { render(writes) }
        return .ok
    }

    /// The writes as a table, or the words for none.
    static func render(_ writes: [MirrorWrite]) -> String {
        if writes.isEmpty { return "nothing to write: the group's calendars are converged (as of the last sync)" }
        var table = Table(headers: ["ACTION", "ACCOUNT", "CALENDAR", "MIRROR", "SOURCE"])
        for write in writes {
            table.add([write.action.rawValue, String(write.target.accountID), write.target.calendarID, write.eventID, write.mirror?.source ?? "-"])
        }
        return table.render() + "\n\(writes.count) write(s)"
    }
}
