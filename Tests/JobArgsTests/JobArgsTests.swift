import Foundation
import JobArgs
import JobQueue
import Testing

/// Each kind's args alone say how a job of theirs is queued: what the push inbox and the
/// console rely on when they enqueue without the handlers.
struct JobArgsTests {
    @Test func argsKeyAndDescribeTheirJobs() throws {
        let sync = try JobQueue.job(SyncAccountArgs(.account(12)), JobOptions())
        #expect(sync.kind == "sync_account" && sync.args == #"{"account_id":12}"# && sync.uniqueKey == "sync_account:12")
        #expect(sync.subject == "account:12")
        let one = try JobQueue.job(SyncAccountArgs(.account(12), calendarID: "work@example.com"), JobOptions())
        #expect(one.uniqueKey == "sync_account:12:work@example.com")
        let pushed = try JobQueue.job(SyncAccountArgs(.account(12), calendarID: "c", viaPush: true), JobOptions(runAt: Date()))
        #expect(pushed.uniqueKey == nil, "the inbox coalesces pushed syncs itself")
        #expect(pushed.args == #"{"account_id":12,"calendar_id":"c","via_push":true}"#)
        let all = try JobQueue.job(SyncAccountArgs(.all), JobOptions())
        #expect(all.args == #"{"account_id":"all"}"# && all.uniqueKey == "sync_account:all" && all.subject == nil)
        let watch = try JobQueue.job(WatchChannelsArgs(.account(3)), JobOptions())
        #expect(watch.kind == "watch_channels" && watch.uniqueKey == "watch_channels:3" && watch.subject == "account:3")
        let reset = try JobQueue.job(CleanupArgs.reset(accountID: 5), JobOptions())
        #expect(reset.uniqueKey == "cleanup:reset:5" && reset.subject == "account:5")
        #expect(try JobQueue.job(CleanupArgs(), JobOptions()).uniqueKey == "cleanup:retention")
        #expect(try JobQueue.job(IcsExportArgs(feedID: 9), JobOptions()).subject == "feed:9")
        #expect(try JobQueue.job(IcsExportArgs(owner: "o"), JobOptions()).uniqueKey == "ics_export:owner:o")
        #expect(try JobQueue.job(NotifyArgs(reminders: true), JobOptions()).uniqueKey == "notify:reminders")
        #expect(try JobQueue.job(NotifyArgs(alert: .init(subject: "disk")), JobOptions()).uniqueKey == nil)
        #expect(try JobQueue.job(NoopArgs(), JobOptions(uniqueKey: "mine")).uniqueKey == "mine", "the enqueuer's key wins")
    }

    @Test(arguments: [
        (SyncAccountArgs(.account(0)) as any JobParameters, "account_id must be positive"),
        (SyncAccountArgs(.all, calendarID: "c"), "calendar_id needs one account_id"),
        (SyncAccountArgs(.account(1), calendarID: "a\nb"), "without control characters"),
        (SyncAccountArgs(.account(1), calendarID: String(repeating: "c", count: 1025)), "1 to 1024 bytes"),
        (WatchChannelsArgs(.account(-4)), "account_id must be positive"),
        (NoopArgs(sleepMs: 86_400_001), "sleep_ms must be between"),
        (NoopArgs(fail: "explode"), "fail must be"),
        (IcsExportArgs(feedID: 1, owner: "o"), "not both"),
        (IcsExportArgs(owner: String(repeating: "o", count: 513)), "1 to 512 bytes"),
        (NotifyArgs(), "exactly one of"),
        (NotifyArgs(alert: .init(subject: "  ")), "alert.subject is empty"),
        (ThumbnailArgs(source: "s3://b/a.jpg", size: 8), "16 to 4096"),
        (ThumbnailArgs(source: "s3://b/a.jpg", quality: 0), "quality is from 1 to 100"),
        (ThumbnailArgs(source: "s3://b/a.jpg", prefix: "s3://b/"), "either source"),
        (ThumbnailArgs(prefix: "s3://b/", target: "s3://b/t.jpg"), "drop target"),
        (BackupArgs(keepDaily: -1), "keep_daily is a count"),
        (BackupArgs(keepMonthly: 1001), "keep_monthly is a count"),
    ])
    func outOfRangeArgsAreRefusedBeforeTheyReachTheQueue(args: any JobParameters, message: String) {
        #expect {
            _ = try JobQueue.job(args, JobOptions())
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test(arguments: [
        ("thumbnail", #"{"sorce": "s3://b/a.jpg"}"#),
        ("backup", #"{"target": "s3://b/", "keep_yearly": 1}"#),
        ("cleanup", #"{"runs_afer": "30d"}"#),
        ("notify", #"{"reminder": true}"#),
        ("ics_export", #"{"feed": 3}"#),
        ("watch_channels", #"{"account_id": 1, "calendar_id": "c"}"#),
    ])
    func misspeltArgumentsAreRefusedByName(kind: String, text: String) throws {
        let types: [String: any JobParameters.Type] = [
            "thumbnail": ThumbnailArgs.self, "backup": BackupArgs.self, "cleanup": CleanupArgs.self, "notify": NotifyArgs.self,
            "ics_export": IcsExportArgs.self, "watch_channels": WatchChannelsArgs.self,
        ]
        func decode<Args: JobParameters>(_ type: Args.Type) throws {
            #expect(Args.kind == kind)
            #expect {
                _ = try JSONDecoder().decode(Args.self, from: Data(text.utf8))
            } throws: { error in
                "\(error)".contains("unknown argument")
            }
        }
        let type: any JobParameters.Type = try #require(types[kind])
        try decode(type)
    }

    /// What an enqueuer writes is what the worker decodes: every kind's args survive the trip.
    @Test func argsRoundTripThroughTheirStoredText() throws {
        let cases: [any JobParameters] = [
            SyncAccountArgs(.account(7), calendarID: "c", viaPush: true), SyncAccountArgs(.all), WatchChannelsArgs(.all),
            NoopArgs(sleepMs: 5, fail: "retry"), IcsExportArgs(owner: "o", force: true), CleanupArgs.reset(accountID: 2),
            ThumbnailArgs(source: "file:///m/a.jpg", size: 300, crop: "top"), BackupArgs(target: "s3://b/p/", keepWeekly: 2),
            NotifyArgs(alert: .init(subject: "s", detail: "d", key: "k")),
        ]
        func roundTrip<Args: JobParameters>(_ args: Args) throws {
            let text = try JobQueue.encodedArgs(args)
            let again = try JSONDecoder().decode(Args.self, from: Data(text.utf8))
            #expect(try JobQueue.encodedArgs(again) == text, "\(Args.self)")
            #expect(again.uniqueKey == args.uniqueKey && again.subject == args.subject)
        }
        for args in cases { try roundTrip(args) }
    }
}
