import Foundation
import JobArgs
import JobQueue
import Jobs
import Notify
import Postgres
import Reminders
import Worker

enum NotifyCommand {
    static let command = Command(
        name: "notify",
        summary: "Reminder settings per owner, a preview of a reminder, and operator alerts",
        usage: """
                   notify settings [--owner O] [--email E] [--webhook URL] [--channel email|webhook|both|off] [--lead MINUTES]
                                             [--time-zone ZONE] [--quiet HH:MM-HH:MM|none] [--all-day-at HH:MM]
                   calworker notify preview --event ID [--account N]
                   calworker notify alert --subject S [--detail D]
                   calworker notify check
            """,
        details: """
            settings without --owner lists every owner's reminder settings (owners without a row get
            the defaults: e-mail to their first account's address, 30 minutes ahead, UTC, no quiet
            hours, all-day events at 08:00); with --owner it changes the given ones.
            preview renders the reminder an event would get (its next occurrence), as it would be
            sent, without sending anything.
            alert records an operator alert for the next digest (one digest at most every
            CALWORKER_ALERT_INTERVAL) and queues the digest job.
            check looks for what the alerts job cannot see from inside a worker: whether any worker
            is alive (none for CALWORKER_ALERT_WORKERS_GONE alerts, once; resolved when one is back),
            then sends waiting alerts as a digest, here and now. cron and systemd installations run it
            every five minutes (the generated crontab and timers do); the scheduler's loop does the
            same every minute. Exit 1 whenever alerts are waiting and their digest, due now, reached
            nobody: no recipient configured (CALWORKER_ALERT_EMAIL, CALWORKER_ALERT_WEBHOOK_URL),
            SMTP or the webhook refusing; alerts held back by the digest interval are not a failure.
            """,
        options: [
            .value("owner", "O", "the platform user whose settings to change"),
            .value("email", "E", "where reminder e-mails go"),
            .value("webhook", "URL", "where reminder webhooks go"),
            .value("channel", "C", "email, webhook, both or off"),
            .value("lead", "MINUTES", "how long before a timed event its reminder goes (0-10080)"),
            .value("time-zone", "ZONE", "the owner's zone for quiet hours, all-day reminders and message times (Europe/Berlin)"),
            .value("quiet", "HH:MM-HH:MM", "quiet hours, e.g. 22:00-07:00, or none"),
            .value("all-day-at", "HH:MM", "when an all-day event's reminder goes on its day"),
            .value("event", "ID", "preview: the event id"),
            .value("account", "N", "preview: the account, when the id is in several"),
            .value("subject", "S", "alert: the alert's one-line summary"),
            .value("detail", "D", "alert: what happened and what to do"),
        ]
    ) { arguments, context in
        let action = arguments.positionals.first ?? "settings"
        let db = try context.connectCurrent()
        switch action {
        case "settings":
            if let owner = arguments.value("owner") { try change(owner, arguments, db) }
            let rows = try OwnerReminders.settings(on: db).map { settings in
                [
                    "owner": settings.owner, "email": settings.email, "webhook": settings.webhook, "channel": settings.channel,
                    "lead_minutes": String(settings.leadMinutes), "time_zone": settings.timeZone, "quiet": settings.quiet,
                    "all_day_at": settings.allDayAt,
                ]
            }
            context.emit(rows) {
                if rows.isEmpty { return "no owners yet: connect an account with calworker accounts add" }
                var table = Table(headers: ["OWNER", "EMAIL", "WEBHOOK", "CHANNEL", "LEAD", "ZONE", "QUIET", "ALL-DAY AT"])
                for row in rows {
                    table.add([
                        row["owner"]!, row["email"]!, row["webhook"]!.isEmpty ? "-" : row["webhook"]!, row["channel"]!,
                        row["lead_minutes"]! + "m", row["time_zone"]!, row["quiet"]!.isEmpty ? "-" : row["quiet"]!, row["all_day_at"]!,
                    ])
                }
                return table.render()
            }
        case "preview":
            guard let event = arguments.value("event") else { throw CLIError(.usage, "preview needs --event ID") }
            let preview = try Self.preview(event: event, account: try arguments.int("account", range: 1...Int.max), context: context, db: db)
            context.emit([
                "subject": preview.rendered.subject, "to": preview.to, "text": preview.rendered.text,
                "html": preview.rendered.html ?? "",
            ]) {
                "To: \(preview.to)\nSubject: \(preview.rendered.subject)\n\n\(preview.rendered.text)"
            }
        case "alert":
            guard let subject = arguments.value("subject"), !subject.isEmpty else { throw CLIError(.usage, "alert needs --subject S") }
            let alert = NotifyJob.Args.Alert(subject: subject, detail: arguments.value("detail") ?? "")
            let result = try context.registry.enqueue(NotifyArgs(alert: alert), queue: context.queue, on: db)
            context.emit(["job": result.id]) { "alert queued as job \(result.id); it goes out in the next digest" }
        case "check":
            let report = try AlertRun(settings: context.registryEnvironment.notify, db: db, metrics: context.metrics).runWithoutWorkers()
            struct Checked: Encodable {
                var raised: Int
                var pending: Int
                var digestsSent: Int
                var errors: [String]
                enum CodingKeys: String, CodingKey {
                    case raised, pending, errors
                    case digestsSent = "digests_sent"
                }
            }
            context.emit(Checked(raised: report.raised, pending: report.pending, digestsSent: report.digestsSent, errors: report.errors)) {
                (["\(report.raised) new alerts, \(report.pending) waiting, \(report.digestsSent) digests sent"] + report.errors.map { "error: \($0)" })
                    .joined(separator: "\n")
            }
            // Cron and timers see only the exit status: an alert nobody received is a failure,
            // whatever the reason (no recipient set, SMTP refused, the webhook down).
            return report.undeliverable ? .failure : .ok
        default:
            throw CLIError(.usage, "unknown action '\(action)'; one of settings, preview, alert, check")
        }
        return .ok
    }

    static func change(_ owner: String, _ arguments: ParsedArguments, _ db: PostgresConnection) throws {
        func minutes(_ text: String, _ option: String) throws(CLIError) -> String {
            let parts = text.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
                throw CLIError(.usage, "--\(option): '\(text)' is not a time like 07:30")
            }
            return String(format: "%02d:%02d", parts[0], parts[1])
        }
        if let channel = arguments.value("channel"), !["email", "webhook", "both", "off"].contains(channel) {
            throw CLIError(.usage, "--channel is email, webhook, both or off")
        }
        if let zone = arguments.value("time-zone"), TimeZone(identifier: zone) == nil {
            throw CLIError(.usage, "--time-zone: '\(zone)' is not a time zone (like Europe/Berlin)")
        }
        if let email = arguments.value("email"), MailAddress(email) == nil { throw CLIError(.usage, "--email: '\(email)' is not an e-mail address") }
        var change = OwnerReminders.Change()
        change.email = arguments.value("email")
        change.webhookURL = arguments.value("webhook")
        change.channel = arguments.value("channel")
        change.leadMinutes = try arguments.int("lead", range: 0...10080)
        change.timeZone = arguments.value("time-zone")
        if let quiet = arguments.value("quiet") {
            if quiet == "none" {
                change.clearQuiet = true
            } else {
                let parts = quiet.split(separator: "-").map(String.init)
                guard parts.count == 2 else { throw CLIError(.usage, "--quiet is HH:MM-HH:MM or none") }
                change.quietStart = try minutes(parts[0], "quiet")
                change.quietEnd = try minutes(parts[1], "quiet")
            }
        }
        change.allDayAt = try arguments.value("all-day-at").map { text throws(CLIError) in try minutes(text, "all-day-at") }
        try OwnerReminders.save(owner: owner, change, on: db)
    }

    struct Preview {
        var to: String
        var rendered: Templates.Rendered
    }

    /// The reminder the event's next occurrence gets, planned as of just before it is due.
    static func preview(event: String, account: Int?, context: CommandContext, db: PostgresConnection) throws -> Preview {
        let owners = try OwnerReminders.owners(ofEvent: event, account: account.map(Int64.init), on: db)
        guard let owner = owners.first else {
            throw CLIError(.notFound, "no event \(event) in the local copy", hint: "sync the account first; ids are Google's event ids")
        }
        if owners.count > 1 && account == nil { throw CLIError(.usage, "event \(event) is in several accounts: add --account N") }
        guard let settings = try OwnerReminders.owners(on: db).first(where: { $0.owner == owner }) else {
            throw CLIError(.notFound, "owner \(owner) has no active account")
        }
        let events = try OwnerReminders.events(
            owner: owner, from: Date().addingTimeInterval(-86_400), to: Date().addingTimeInterval(400 * 86_400), on: db
        )
        .filter { $0.eventID == event || $0.recurringEventID == event }
        // Walk forward to the first moment a reminder of this event is due (quiet hours aside:
        // they only delay a message).
        var preferences = settings.preferences
        preferences.quietStart = nil
        preferences.quietEnd = nil
        var probe = Date()
        let end = Date().addingTimeInterval(366 * 86_400)
        while probe < end {
            let plan = ReminderPlanner(preferences: preferences, now: probe).plan(events)
            if let due = plan.due.first {
                let name = due.allDayDate == nil ? "reminder" : "reminder-allday"
                let rendered = try context.registryEnvironment.notify.templates.render(
                    name, ReminderRun.values(for: due, zone: settings.preferences.timeZone))
                return Preview(to: settings.channel == "webhook" ? (settings.webhookURL ?? "-") : (settings.email ?? "-"), rendered: rendered)
            }
            probe = probe.addingTimeInterval(15 * 60)
        }
        throw CLIError(.notFound, "event \(event) has no upcoming occurrence within a year (or it is cancelled, declined or a busy block)")
    }
}
