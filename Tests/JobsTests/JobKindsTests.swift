import Backup
import JobArgs
import JobQueue
import Jobs
import Testing
import Worker

/// The registry runs every kind the args module names, and a job queued from args alone (the
/// push inbox, the console) is the job `calworker enqueue`, a definition file or the scheduler
/// makes of the same args by name.
struct JobKindsTests {
    @Test func theRegistryRunsEveryKindOfArgs() {
        let kinds: [any JobParameters.Type] = [
            NoopArgs.self, SyncAccountArgs.self, CleanupArgs.self, ThumbnailArgs.self, BackupArgs.self, NotifyArgs.self,
            WatchChannelsArgs.self, IcsExportArgs.self,
        ]
        #expect(JobKinds.registry().kinds == kinds.map { $0.kind }.sorted())
    }

    @Test func argsAloneQueueTheJobTheRegistryQueuesByName() throws {
        let registry = JobKinds.registry()
        let cases: [any JobParameters] = [
            SyncAccountArgs(.account(4)), SyncAccountArgs(.account(4), calendarID: "c"), SyncAccountArgs(.all),
            SyncAccountArgs(.account(4), calendarID: "c", viaPush: true), WatchChannelsArgs(.account(4)), WatchChannelsArgs(.all),
            CleanupArgs(), CleanupArgs.reset(accountID: 4), NotifyArgs(alerts: true), NotifyArgs(alert: .init(subject: "s")),
            IcsExportArgs(), IcsExportArgs(feedID: 2), NoopArgs(sleepMs: 1),
        ]
        for args in cases {
            let typed = try JobQueue.job(args, JobOptions())
            var byName = NewJob(kind: typed.kind, args: typed.args)
            byName = try JobQueue.described(byName, by: registry)
            #expect(typed.uniqueKey == byName.uniqueKey && typed.subject == byName.subject, "\(typed.kind) \(typed.args)")
        }
    }

    /// A backup's key is its resolved target, however written: only the registry knows the
    /// configured default, so the registry's typed path is the by-name path.
    @Test func aBackupQueuedThroughTheRegistryIsKeyedByItsTarget() throws {
        var environment = JobEnvironment()
        environment.backup.target = "s3://backups/calworker"
        let registry = JobKinds.registry(environment)
        func described(_ args: BackupArgs) throws -> NewJob {
            try JobQueue.described(NewJob(kind: "backup", args: try JobQueue.encodedArgs(args)), by: registry)
        }
        let slashed = try described(BackupArgs(target: "s3://backups/calworker/"))
        #expect(slashed.uniqueKey == "backup:s3://backups/calworker/" && slashed.subject == "backup:s3://backups/calworker/")
        #expect(try described(BackupArgs(target: "s3://backups/calworker")).uniqueKey == slashed.uniqueKey)
        #expect(try described(BackupArgs(keepDaily: 3)).uniqueKey == slashed.uniqueKey, "the configured target")
    }
}
