public import Foundation

/// How many backups to keep: the newest verified backup of each of the last `daily` days,
/// `weekly` ISO weeks and `monthly` months that have one (pgBackRest's and restic's
/// grandfather-father-son scheme), computed without I/O.
public struct RetentionPolicy: Sendable, Equatable {
    public var daily: Int
    public var weekly: Int
    public var monthly: Int

    public init(daily: Int = 7, weekly: Int = 4, monthly: Int = 6) {
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
    }

    public struct Backup: Sendable, Equatable {
        public var id: String
        public var createdAt: Date
        /// Verified good. Unverified ones (failed, or never finished) never fill a slot.
        public var verified: Bool

        public init(id: String, createdAt: Date, verified: Bool) {
            self.id = id
            self.createdAt = createdAt
            self.verified = verified
        }
    }

    /// The ids to delete. Nothing is deleted unless a verified backup exists, and only backups
    /// older than the newest verified one are ever candidates: a failed or unfinished backup
    /// goes once a newer one has been verified, and the newest verified backup always stays.
    public func expired(_ backups: [Backup]) -> Set<String> {
        let verified = backups.filter(\.verified).sorted { $0.createdAt > $1.createdAt }
        guard let newest = verified.first else { return [] }
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var keep: Set<String> = [newest.id]
        func keepNewest(per period: (Date) -> String, count: Int) {
            var seen: [String] = []
            for backup in verified {
                let key = period(backup.createdAt)
                guard !seen.contains(key) else { continue }
                guard seen.count < count else { break }
                seen.append(key)
                keep.insert(backup.id)
            }
        }
        keepNewest(
            per: {
                let c = calendar.dateComponents([.year, .month, .day], from: $0)
                return "\(c.year!)-\(c.month!)-\(c.day!)"
            },
            count: daily)
        keepNewest(
            per: {
                let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: $0)
                return "\(c.yearForWeekOfYear!)-W\(c.weekOfYear!)"
            }, count: weekly)
        keepNewest(
            per: {
                let c = calendar.dateComponents([.year, .month], from: $0)
                return "\(c.year!)-\(c.month!)"
            }, count: monthly)
        return Set(backups.filter { $0.createdAt < newest.createdAt && !keep.contains($0.id) }.map(\.id))
    }
}
