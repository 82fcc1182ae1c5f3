public import Foundation

/// Text conversions for `timestamptz` without `DateFormatter`, which is slow and not
/// thread-safe to share. Output is ISO 8601 in UTC; input is PostgreSQL's ISO output
/// (`2026-11-21 23:19:11.123456+00`, any offset, optional fraction).
public enum PostgresTimestamp {
    /// The instants `timestamptz` holds (4714-11-24 BC to 294276-12-31 AD), in seconds since
    /// 1970. A date outside is written as `infinity` or `-infinity`, never as text the server
    /// refuses: a job's retry time computed from a server's absurd answer once failed the whole
    /// batch of outcomes it was written with.
    static let earliest: Double = -210_866_803_200
    static let latest: Double = 9_224_318_016_000

    public static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, interval < latest else { return "infinity" }
        guard interval >= earliest else { return "-infinity" }
        // Whole seconds and microseconds apart: the instant in microseconds overflows Int64
        // near the end of PostgreSQL's range.
        let whole = interval.rounded(.down)
        var seconds = Int64(whole)
        var micros = Int64(((interval - whole) * 1_000_000).rounded())
        if micros == 1_000_000 {
            seconds += 1
            micros = 0
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        seconds -= days * 86_400
        let (year, month, day) = civilFromDays(days)
        let hour = seconds / 3600
        let minute = (seconds % 3600) / 60
        let second = seconds % 60
        // Built by hand: String(format:) costs microseconds, and the queue formats a
        // timestamp per finished job.
        var bytes = [UInt8]()
        bytes.reserveCapacity(30)
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            // Years past 9999 take the digits they need.
            while value / divisor >= 10 { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(48 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        // Year 0 is 1 BC, -1 is 2 BC (astronomical numbering, which the algorithm uses).
        let bc = year <= 0
        digits(bc ? 1 - year : year, 4)
        bytes.append(45)
        digits(month, 2)
        bytes.append(45)
        digits(day, 2)
        bytes.append(84)
        digits(hour, 2)
        bytes.append(58)
        digits(minute, 2)
        bytes.append(58)
        digits(second, 2)
        bytes.append(46)
        digits(micros, 6)
        bytes.append(90)
        if bc { bytes.append(contentsOf: " BC".utf8) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// PostgreSQL's ISO output in any time zone, including years past 9999 and BC dates;
    /// `infinity` and `-infinity` become `Date.distantFuture` and `Date.distantPast`.
    public static func parse(_ text: String) -> Date? {
        var utf8 = Array(text.utf8)
        if utf8 == Array("infinity".utf8) { return .distantFuture }
        if utf8 == Array("-infinity".utf8) { return .distantPast }
        var bc = false
        if utf8.count > 3, utf8.suffix(3) == ArraySlice(" BC".utf8) {
            bc = true
            utf8.removeLast(3)
        }
        utf8.append(0)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<digits {
                let c = utf8[index]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
                index += 1
            }
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard utf8[index] == character else { return false }
            index += 1
            return true
        }
        // Four digits, or up to six for years past 9999.
        guard var year = number(4) else { return nil }
        for _ in 0..<2 where utf8[index] >= 48 && utf8[index] <= 57 {
            year = year * 10 + Int64(utf8[index] - 48)
            index += 1
        }
        if bc { year = 1 - year }
        guard expect(45), let month = number(2), expect(45), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        guard utf8[index] == 32 || utf8[index] == 84 else { return nil }
        index += 1
        guard let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2) else { return nil }
        var fraction = 0.0
        if utf8[index] == 46 {
            index += 1
            var scale = 0.1
            while utf8[index] >= 48, utf8[index] <= 57 {
                fraction += Double(utf8[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset: Int64 = 0
        let sign = utf8[index]
        if sign == 43 || sign == 45 {
            index += 1
            guard let offsetHours = number(2) else { return nil }
            var offsetMinutes: Int64 = 0
            if utf8[index] == 58 {
                index += 1
                offsetMinutes = number(2) ?? 0
            }
            if utf8[index] == 58 {
                index += 1
                _ = number(2)
            }
            offset = (offsetHours * 3600 + offsetMinutes * 60) * (sign == 45 ? -1 : 1)
        } else if sign == 90 {
            index += 1
        }
        guard utf8[index] == 0 else { return nil }
        let days = daysFromCivil(year, month, day)
        let epoch = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(epoch) + fraction)
    }

    /// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
