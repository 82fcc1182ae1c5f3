import Accounts
import CalendarSync
import Foundation
import LocalCopy
import Mirroring
import Postgres

enum CalendarsCommand {
    static let command = Command(
        name: "calendars",
        summary: "List an account's calendars, take one out of mirroring or put it back, set an owner's busy title and window",
        usage: """
            calendars list --account ID
                   calworker calendars exclude --account ID CALENDAR_ID
                   calworker calendars include --account ID CALENDAR_ID
                   calworker calendars settings --owner O [--busy-title T] [--mirror-days N]
                   calworker calendars policy --owner O [--from CAL --to CAL [--direction both|one-way|none] [--detail busy|title|title-location]
                            [--skip-all-day yes|no] [--skip-tentative yes|no] [--working-hours HH:MM-HH:MM|none] [--skip-title REGEX|none] [--dry-run]]
            """,
        details: """
            A calendar takes part in mirroring when the account owns it (accessRole owner), it is in
            the calendar list, and it is not excluded. Excluding one removes its mirrors in both
            directions at the owner's next sync; nothing the user wrote is ever touched.
            settings: the title of the owner's busy blocks (default Busy) and how many days ahead
            they reach (default 90); without --busy-title/--mirror-days it shows them.
            policy: which of the owner's calendars block time in which, and how. --direction sets the
            pair both ways (both, one-way from --from to --to, none); --detail and the filters set the
            link from --from to --to: busy only (default), the title, or the title and location (always
            private, never attendees, description or reminders); leave out all-day events, tentative or
            unanswered invitations, events starting outside working hours (Monday to Friday, the
            owner's time zone from notify settings), titles matching a pattern. --dry-run prints the
            busy blocks the change would write and delete, and saves nothing; otherwise it is saved and
            a sync of the group queued, which converges it. Only events calworker wrote are touched.
            """,
        options: [
            .value("account", "ID", "the account (see calworker accounts list)"),
            .value("owner", "O", "the owner (sync group) for settings"),
            .value("busy-title", "T", "the title of mirrored busy blocks"),
            .value("mirror-days", "N", "days ahead that busy blocks reach (1-730)"),
            .value("from", "CAL", "policy: the source calendar of the link"),
            .value("to", "CAL", "policy: the target calendar of the link"),
            .value("direction", "D", "policy: both, one-way (from --from to --to only) or none"),
            .value("detail", "D", "policy: busy, title or title-location"),
            .value("skip-all-day", "yes|no", "policy: leave out all-day events"),
            .value("skip-tentative", "yes|no", "policy: leave out invitations answered tentative or not at all"),
            .value("working-hours", "HH:MM-HH:MM", "policy: only events starting then, Monday to Friday (or none)"),
            .value("skip-title", "REGEX", "policy: leave out events whose title matches (case-insensitive; or none)"),
            .flag("dry-run", "policy: print the writes the change would make; save nothing"),
        ]
    ) { arguments, context in
        let action = arguments.positionals.first ?? "list"
        let db = try context.connectCurrent()
        switch action {
        case "list":
            let account = try accountID(arguments)
            let calendars = try EventStore().calendarSummaries(accountID: account, on: db)
            context.emit(calendars) {
                if calendars.isEmpty { return "no calendars yet for account \(account); sync it first" }
                var table = Table(headers: ["CALENDAR", "SUMMARY", "ROLE", "EVENTS", "MIRRORS", "MIRRORING"])
                for calendar in calendars {
                    let state =
                        calendar.deleted
                        ? "no (deleted)"
                        : calendar.excluded
                            ? "no (excluded)"
                            : calendar.accessRole != "owner" ? "no (not owner)" : calendar.synced ? "yes" : "after its first sync"
                    table.add([
                        calendar.calendarID + (calendar.primary ? " (primary)" : ""), calendar.summary, calendar.accessRole,
                        String(calendar.events), String(calendar.mirrors), state,
                    ])
                }
                return table.render()
            }
        case "exclude", "include":
            let account = try accountID(arguments)
            guard arguments.positionals.count == 2 else {
                throw CLIError(.usage, "usage: calworker calendars \(action) --account ID CALENDAR_ID")
            }
            let calendar = arguments.positionals[1]
            guard try EventStore().setExcluded(accountID: account, calendarID: calendar, action == "exclude", on: db) else {
                throw CLIError(
                    .notFound, "account \(account) has no calendar \(calendar)", hint: "see: calworker calendars list --account \(account)")
            }
            try context.queueChannelUpkeep(accountID: account, on: db)
            context.emit(["account": String(account), "calendar": calendar, "excluded": String(action == "exclude")]) {
                "calendar \(calendar) \(action)d; mirrors follow at the owner's next sync"
            }
        case "settings":
            guard let owner = arguments.value("owner"), !owner.isEmpty else { throw CLIError(.usage, "settings needs --owner O") }
            let title = arguments.value("busy-title")
            if let title, title.trimmingCharacters(in: .whitespaces).isEmpty { throw CLIError(.usage, "--busy-title must not be empty") }
            let days = try arguments.int("mirror-days", range: 1...730)
            let settings =
                title != nil || days != nil
                ? try MirrorSettings.save(owner: owner, busyTitle: title, mirrorDays: days, on: db)
                : try MirrorSettings.load(owner: owner, on: db)
            let shown = ["owner": owner, "busy_title": settings.busyTitle, "mirror_days": String(settings.mirrorDays)]
            context.emit(shown) { "owner \(owner): busy title '\(shown["busy_title"]!)', \(shown["mirror_days"]!) days ahead" }
        case "policy":
            try CalendarsPolicy.run(arguments, context, db)
        default:
            throw CLIError(.usage, "unknown action '\(action)'; one of list, exclude, include, settings, policy")
        }
        return .ok
    }

    static func accountID(_ arguments: ParsedArguments) throws(CLIError) -> Int64 {
        guard let text = arguments.value("account"), let id = Int64(text), id > 0 else {
            throw CLIError(.usage, "--account ID is required (a number; see calworker accounts list)")
        }
        return id
    }
}
