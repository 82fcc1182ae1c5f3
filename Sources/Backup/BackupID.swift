import Crypto
import Foundation

/// Backup ids sort by time: `20261201T201530Z-3fa9` (UTC, then four random hex digits so
/// two backups in one second do not collide).
enum BackupID {
    static func make(at date: Date) -> String {
        let suffix = (try? Random.bytes(2)).map(Digest.hex) ?? String(format: "%04x", Int.random(in: 0..<65536))
        return formatter.string(from: date) + "-" + suffix
    }

    static func date(of id: String) -> Date? { formatter.date(from: String(id.prefix(16))) }

    static func isValid(_ id: String) -> Bool {
        id.count == 21 && date(of: id) != nil && id.dropFirst(17).allSatisfy(\.isHexDigit)
    }

    private static var formatter: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }
}
