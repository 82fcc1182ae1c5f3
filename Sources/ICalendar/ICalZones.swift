public import Foundation

/// The zones a calendar object's `TZID`s name. Servers write IANA names (`Europe/Berlin`),
/// IANA names behind a vendor's prefix (`/mozilla.org/20050126_1/Europe/Berlin`), Windows names
/// (`W. Europe Standard Time`, from Exchange and Outlook) or a name of their own with the
/// VTIMEZONE saying what it means (`X-LIC-LOCATION`, or its offsets). A TZID none of these
/// explains is read as floating time, the owner's zone, and reported (`unknown`).
public struct ICalZones: Sendable {
    private var zones: [String: TimeZone] = [:]
    /// TZIDs that named no zone anyone knows.
    public private(set) var unknown: Set<String> = []

    /// From the VTIMEZONEs of a calendar object (the top components or any below them).
    public init(_ components: [ICalComponent]) {
        for timezone in components.flatMap({ ($0.name == "VTIMEZONE" ? [$0] : []) + $0.all("VTIMEZONE") }) {
            guard let tzid = timezone.property("TZID")?.value else { continue }
            if let zone = Self.named(tzid) ?? timezone.property("X-LIC-LOCATION").flatMap({ Self.named($0.value) }) ?? Self.fixedOffset(timezone) {
                zones[tzid] = zone
            }
        }
    }

    /// The zone a TZID names, nil when none does.
    public mutating func zone(_ tzid: String) -> TimeZone? {
        if let known = zones[tzid] { return known }
        if let zone = Self.named(tzid) {
            zones[tzid] = zone
            return zone
        }
        unknown.insert(tzid)
        return nil
    }

    /// An IANA name, the same behind a path prefix, or a Windows name.
    static func named(_ tzid: String) -> TimeZone? {
        let name = tzid.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\"")))
        guard !name.isEmpty, name.utf8.count <= 128 else { return nil }
        if name.contains("/") || ["UTC", "GMT"].contains(name), let zone = TimeZone(identifier: name) { return zone }
        let parts = name.split(separator: "/")
        for take in [3, 2] where parts.count > take {
            if let zone = TimeZone(identifier: parts.suffix(take).joined(separator: "/")) { return zone }
        }
        if let iana = windowsZones[name] { return TimeZone(identifier: iana) }
        return nil
    }

    /// A VTIMEZONE without summer time: its one offset.
    static func fixedOffset(_ timezone: ICalComponent) -> TimeZone? {
        let observances = timezone.components.filter { $0.name == "STANDARD" || $0.name == "DAYLIGHT" }
        let offsets = Set(observances.compactMap { $0.property("TZOFFSETTO").flatMap { offsetSeconds($0.value) } })
        guard offsets.count == 1, let offset = offsets.first else { return nil }
        return TimeZone(secondsFromGMT: offset)
    }

    /// `+0100`, `-0530`, `+013000`.
    static func offsetSeconds(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5 || bytes.count == 7, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
            let digits = Int(String(decoding: bytes.dropFirst(), as: UTF8.self))
        else { return nil }
        let hours = bytes.count == 5 ? digits / 100 : digits / 10_000
        let minutes = bytes.count == 5 ? digits % 100 : digits / 100 % 100
        let seconds = bytes.count == 5 ? 0 : digits % 100
        guard hours <= 18, minutes <= 59, seconds <= 59 else { return nil }
        return (bytes[0] == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds)
    }

    /// Windows zone names as Exchange and Outlook write them, to the IANA zone of their region
    /// (Unicode CLDR's windowsZones, territory 001).
    static let windowsZones: [String: String] = [
        "UTC": "UTC", "GMT Standard Time": "Europe/London", "Greenwich Standard Time": "Atlantic/Reykjavik",
        "W. Europe Standard Time": "Europe/Berlin", "Central Europe Standard Time": "Europe/Budapest",
        "Romance Standard Time": "Europe/Paris", "Central European Standard Time": "Europe/Warsaw",
        "E. Europe Standard Time": "Europe/Chisinau", "FLE Standard Time": "Europe/Kiev", "GTB Standard Time": "Europe/Bucharest",
        "Russian Standard Time": "Europe/Moscow", "Turkey Standard Time": "Europe/Istanbul", "Israel Standard Time": "Asia/Jerusalem",
        "South Africa Standard Time": "Africa/Johannesburg", "Arabian Standard Time": "Asia/Dubai", "India Standard Time": "Asia/Calcutta",
        "China Standard Time": "Asia/Shanghai", "Singapore Standard Time": "Asia/Singapore", "Tokyo Standard Time": "Asia/Tokyo",
        "Korea Standard Time": "Asia/Seoul", "AUS Eastern Standard Time": "Australia/Sydney",
        "E. Australia Standard Time": "Australia/Brisbane", "W. Australia Standard Time": "Australia/Perth",
        "New Zealand Standard Time": "Pacific/Auckland", "Eastern Standard Time": "America/New_York",
        "Central Standard Time": "America/Chicago", "Mountain Standard Time": "America/Denver",
        "US Mountain Standard Time": "America/Phoenix", "Pacific Standard Time": "America/Los_Angeles",
        "Alaskan Standard Time": "America/Anchorage", "Hawaiian Standard Time": "Pacific/Honolulu",
        "Atlantic Standard Time": "America/Halifax", "Canada Central Standard Time": "America/Regina",
        "SA Pacific Standard Time": "America/Bogota", "E. South America Standard Time": "America/Sao_Paulo",
        "Argentina Standard Time": "America/Buenos_Aires", "Central Standard Time (Mexico)": "America/Mexico_City",
    ]
}
