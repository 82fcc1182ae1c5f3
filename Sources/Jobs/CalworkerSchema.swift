import Accounts
import CalendarSync
import Feeds
public import JobQueue
import Notify
import RequestBudgets
import Scheduling

/// The whole `calworker` schema: every module's own migrations, in the order their tables
/// depend on each other (the queue first; accounts before the calendars that point at them).
public enum CalworkerSchema {
    public static let migrator = Migrator(groups: [
        QueueSchema.migrations, AccountsSchema.migrations, SyncSchema.migrations, RequestBudgetsSchema.migrations, PushSchema.migrations,
        NotifySchema.migrations,
        SchedulingSchema.migrations, FeedsSchema.migrations,
    ])
}
