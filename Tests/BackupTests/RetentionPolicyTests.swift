import Backup
import Foundation
import Testing

@Suite struct RetentionPolicyTests {
    static let start = Date(timeIntervalSince1970: 1_793_491_200)  // 2026-11-01T00:00:00Z, a Sunday

    static func day(_ n: Int, hour: Int = 2) -> Date { start.addingTimeInterval(Double(n) * 86_400 + Double(hour) * 3600) }

    static func backups(days: Int, failed: Set<Int> = []) -> [RetentionPolicy.Backup] {
        (0..<days).map { RetentionPolicy.Backup(id: "d\($0)", createdAt: day($0), verified: !failed.contains($0)) }
    }

    @Test func aMonthOfNightlyBackupsKeepsSevenDaysFourWeeksAndTheMonths() {
        // Nov 1 ... Dec 1 (31 nightly backups); day 30 is Dec 1.
        let all = Self.backups(days: 31)
        let expired = RetentionPolicy(daily: 7, weekly: 4, monthly: 6).expired(all)
        let kept = Set(all.map(\.id)).subtracting(expired)
        // Daily: Dec 1 and Nov 25-30. Weekly (ISO weeks start on Monday): newest of the weeks of
        // Dec 1 (Tue), Nov 23-29 (Sun 29), Nov 16-22 (Sun 22), Nov 9-15 (Sun 15). Monthly: Dec 1, Nov 30.
        #expect(kept == ["d30", "d29", "d28", "d27", "d26", "d25", "d24", "d21", "d14"].reduce(into: Set()) { $0.insert($1) })
    }

    @Test func failedBackupsNeverFillASlotAndGoOnceANewerOneIsVerified() {
        let all = Self.backups(days: 10, failed: [9, 8, 3])
        let expired = RetentionPolicy(daily: 3, weekly: 0, monthly: 0).expired(all)
        // Newest verified is d7: d8 and d9 (failed, newer) stay; daily slots: d7, d6, d5.
        #expect(!expired.contains("d8") && !expired.contains("d9"), "nothing newer than the newest verified backup is touched")
        #expect(Set(all.map(\.id)).subtracting(expired) == ["d9", "d8", "d7", "d6", "d5"])
        #expect(expired.contains("d3"), "an old failed backup goes")
    }

    @Test func withoutAVerifiedBackupNothingIsDeleted() {
        #expect(RetentionPolicy(daily: 1, weekly: 0, monthly: 0).expired(Self.backups(days: 5, failed: [0, 1, 2, 3, 4])).isEmpty)
    }

    @Test func theNewestVerifiedBackupStaysEvenWithEveryCountAtZero() {
        let all = Self.backups(days: 5)
        #expect(Set(all.map(\.id)).subtracting(RetentionPolicy(daily: 0, weekly: 0, monthly: 0).expired(all)) == ["d4"])
    }

    @Test func severalBackupsADayKeepTheNewestOfTheDay() {
        let all = (0..<4).map { RetentionPolicy.Backup(id: "h\($0)", createdAt: Self.day(0, hour: $0 * 5), verified: true) }
        #expect(RetentionPolicy(daily: 7, weekly: 0, monthly: 0).expired(all) == ["h0", "h1", "h2"])
    }
}
