/// The console's pages, one route each: a page loads what it shows through the stores of the
/// modules that own it, and its page type renders it.
extension ConsoleApp {
    static let pages: [ConsoleRoute] = [
        ConsoleRoute([]) { app, call in try OverviewPage.respond(app, call) },
        ConsoleRoute([.literal("accounts")]) { app, call in try AccountsPage.respond(app, call) },
        ConsoleRoute([.literal("accounts"), .id]) { app, call in try AccountPage.respond(app, call) },
        ConsoleRoute([.literal("schedules")]) { app, call in try SchedulesPage.respond(app, call) },
        ConsoleRoute([.literal("backups")]) { app, call in BackupsPage.respond(app, call) },
        ConsoleRoute([.literal("audit")]) { app, call in try AuditPage.respond(app, call) },
        ConsoleRoute([.literal("bulk")]) { app, call in try BulkPage.respond(app, call) },
        ConsoleRoute([.literal("runs")]) { app, call in try RunsPage.respond(app, call) },
        ConsoleRoute([.literal("jobs"), .id]) { app, call in try JobPage.respond(app, call) },
    ]
}
