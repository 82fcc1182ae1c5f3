import Accounts
import Feeds
public import JobQueue
import LocalCopy
import Mirroring
import Notify
import Push
import RequestBudgets
import Scheduling

/// The whole `calworker` schema: every module's own migrations, in the order their tables
/// depend on each other (the queue first; accounts before the calendars that point at them).
public enum CalworkerSchema {
    public static let migrator = Migrator(groups: [
        QueueSchema.migrations, AccountsSchema.migrations, LocalCopySchema.migrations, RequestBudgetsSchema.migrations, MirroringSchema.migrations,
        PushSchema.migrations,
        NotifySchema.migrations,
        SchedulingSchema.migrations, FeedsSchema.migrations,
    ])
}
