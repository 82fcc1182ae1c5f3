import Foundation

/// RFC 3339 timestamps the way Google writes and reads them.
///
/// Written: always UTC with milliseconds (`2025-03-01T09:30:00.000Z`), as Google's `created`
/// and `updated` are. Read: any offset (`Z`, `+02:00`), optional fraction (milliseconds may be
/// given but are ignored by Google for `timeMin`/`timeMax`). Hand-written rather than a
/// formatter so parsing is strict and identical on every platform.
enum RFC3339 {
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func format(_ date: Date) -> String {
        let millisTotal = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = Double(millisTotal.floorDiv(1000))
        let millis = Int(millisTotal - millisTotal.floorDiv(1000) * 1000)
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        return "\(pad(parts.year!, 4))-\(pad(parts.month!, 2))-\(pad(parts.day!, 2))T\(pad(parts.hour!, 2)):"
            + "\(pad(parts.minute!, 2)):\(pad(parts.second!, 2)).\(pad(millis, 3))Z"
    }

    /// `2025-03-01T10:00:00+01:00`: an instant as seen in `zone`, the way Google writes event
    /// times (`Z` for UTC).
    static func format(_ date: Date, offsetIn zone: TimeZone) -> String {
        let whole = Date(timeIntervalSince1970: (date.timeIntervalSince1970).rounded(.down))
        let offset = zone.secondsFromGMT(for: whole)
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: whole.addingTimeInterval(Double(offset)))
        let base =
            "\(pad(parts.year!, 4))-\(pad(parts.month!, 2))-\(pad(parts.day!, 2))T\(pad(parts.hour!, 2)):\(pad(parts.minute!, 2)):\(pad(parts.second!, 2))"
        if offset == 0 { return base + "Z" }
        let magnitude = abs(offset) / 60
        return base + (offset < 0 ? "-" : "+") + "\(pad(magnitude / 60, 2)):\(pad(magnitude % 60, 2))"
    }

    /// A full timestamp. Without an offset it is read in `defaultZone`, or refused when that
    /// is nil (the rule for `timeMin`/`timeMax`/`updatedMin`: "mandatory time zone offset").
    static func parse(_ text: String, defaultZone: TimeZone? = nil) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count >= 19, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
            chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t"),
            chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
            let year = number(chars, 0, 4), let month = number(chars, 5, 2), let day = number(chars, 8, 2),
            let hour = number(chars, 11, 2), let minute = number(chars, 14, 2), let second = number(chars, 17, 2)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < chars.count, (48...57).contains(chars[index]) {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offsetSeconds: Int?
        if index < chars.count {
            let sign = chars[index]
            if (sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z")) && index + 1 == chars.count {
                offsetSeconds = 0
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), chars.count == index + 6,
                chars[index + 3] == UInt8(ascii: ":"),
                let hours = number(chars, index + 1, 2), let minutes = number(chars, index + 4, 2), hours < 24, minutes < 60
            {
                offsetSeconds = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var zoneCalendar = utc
        if offsetSeconds == nil {
            guard let zone = defaultZone else { return nil }
            zoneCalendar.timeZone = zone
        }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let local = zoneCalendar.date(from: components),
            zoneCalendar.component(.day, from: local) == day
        else { return nil }
        return local.addingTimeInterval(fraction - Double(offsetSeconds ?? 0))
    }

    /// `YYYY-MM-DD` as the start of that day in `zone`.
    static func parseDay(_ text: String, in zone: TimeZone) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count == 10, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
            let year = number(chars, 0, 4), let month = number(chars, 5, 2), let day = number(chars, 8, 2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var calendar = utc
        calendar.timeZone = zone
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
            calendar.component(.day, from: date) == day
        else { return nil }
        return date
    }

    /// The basic form used in recurring-instance ids: `20250301T093000Z` (UTC) or `20250301`.
    static func parseBasic(_ text: String, zone: TimeZone) -> (date: Date, allDay: Bool)? {
        let chars = Array(text.utf8)
        guard chars.count >= 8, let year = number(chars, 0, 4), let month = number(chars, 4, 2), let day = number(chars, 6, 2) else { return nil }
        if chars.count == 8 {
            return parseDay("\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))", in: zone).map { ($0, true) }
        }
        guard chars.count == 16, chars[8] == UInt8(ascii: "T"), chars[15] == UInt8(ascii: "Z"),
            let hour = number(chars, 9, 2), let minute = number(chars, 11, 2), let second = number(chars, 13, 2)
        else { return nil }
        let text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))Z"
        return parse(text).map { ($0, false) }
    }

    /// `2025-03-01` for an instant seen in `zone`.
    static func day(_ date: Date, in zone: TimeZone) -> String {
        var calendar = utc
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(pad(parts.year!, 4))-\(pad(parts.month!, 2))-\(pad(parts.day!, 2))"
    }

    /// Basic-format UTC (`20250301T093000Z`), the suffix of a recurring instance's id.
    static func basic(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return
            "\(pad(parts.year!, 4))\(pad(parts.month!, 2))\(pad(parts.day!, 2))T\(pad(parts.hour!, 2))\(pad(parts.minute!, 2))\(pad(parts.second!, 2))Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func number(_ chars: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= chars.count else { return nil }
        var value = 0
        for char in chars[start..<(start + count)] {
            guard (48...57).contains(char) else { return nil }
            value = value * 10 + Int(char - 48)
        }
        return value
    }
}

extension Int64 {
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
