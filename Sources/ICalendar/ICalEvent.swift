import Foundation

/// One VEVENT as the sync engine and the mirror planner read it: its identity (UID, and
/// RECURRENCE-ID for an overridden occurrence), its times, whether it blocks time, and the
/// series rules. Everything else stays in the raw object the local copy keeps beside it.
public struct ICalEvent: Sendable {
    public enum Status: String, Sendable {
        case tentative = "TENTATIVE"
        case confirmed = "CONFIRMED"
        case cancelled = "CANCELLED"
    }

    public struct Attendee: Sendable, Equatable {
        /// The address without `mailto:`, lowercased.
        public var address: String
        /// `ACCEPTED`, `DECLINED`, `TENTATIVE`, `NEEDS-ACTION` (the default), ...
        public var participation: String
    }

    public var uid: String
    /// Set on an overridden occurrence of a series: which occurrence it replaces.
    public var recurrenceID: ICalTime?
    public var start: ICalTime
    /// DTEND, or DTSTART plus DURATION; a day after a DATE start, the start itself otherwise.
    public var end: ICalTime
    public var summary: String?
    public var description: String?
    public var location: String?
    public var status: Status = .confirmed
    /// TRANSP:TRANSPARENT: shown, but not busy.
    public var transparent = false
    /// CLASS: PUBLIC (the default), PRIVATE, CONFIDENTIAL.
    public var classification = "PUBLIC"
    /// RRULE values (without `RRULE:`).
    public var rules: [String] = []
    public var rdates: [ICalTime] = []
    public var exdates: [ICalTime] = []
    public var attendees: [Attendee] = []
    public var organizer: String?
    public var sequence = 0
    /// X- properties, by name, as text (the first of each name): `X-CALWORKER-MIRROR`.
    public var extensions: [String: String] = [:]

    /// How the owner answered, by any of their addresses; nil when they are not invited.
    public func participation(of addresses: Set<String>) -> String? {
        attendees.first { addresses.contains($0.address) }?.participation
    }

    /// The VEVENTs of a parsed calendar object, with their TZIDs resolved through its
    /// VTIMEZONEs (`zones` collects any that name nothing known).
    public static func events(in components: [ICalComponent], zones: inout ICalZones) throws(ICalParseError) -> [ICalEvent] {
        var events: [ICalEvent] = []
        for component in components.flatMap({ ($0.name == "VEVENT" ? [$0] : []) + $0.all("VEVENT") }) {
            events.append(try ICalEvent(component, zones: &zones))
        }
        return events
    }

    public init(_ component: ICalComponent, zones: inout ICalZones) throws(ICalParseError) {
        func time(_ property: ICalProperty) throws(ICalParseError) -> ICalTime {
            let zone = property.parameter("TZID").flatMap { zones.zone($0) }
            do {
                return try ICalTime.parse(property.value.trimmingCharacters(in: .whitespaces), valueType: property.parameter("VALUE"), zone: zone)
            } catch {
                throw ICalParseError(line: 0, "\(property.name): \(error.message)")
            }
        }
        func times(_ name: String) throws(ICalParseError) -> [ICalTime] {
            var values: [ICalTime] = []
            for property in component.properties(name) where property.parameter("VALUE")?.uppercased() != "PERIOD" {
                for part in property.value.split(separator: ",") {
                    values.append(try time(ICalProperty(name: name, parameters: property.parameters, value: String(part))))
                }
            }
            return values
        }
        guard let uid = component.property("UID")?.text, !uid.isEmpty else { throw ICalParseError(line: 0, "a VEVENT without a UID") }
        guard uid.utf8.count <= 1024 else { throw ICalParseError(line: 0, "a UID longer than 1024 bytes") }
        self.uid = uid
        guard let dtstart = component.property("DTSTART") else { throw ICalParseError(line: 0, "VEVENT \(ICalParser.clipped(uid)) has no DTSTART") }
        start = try time(dtstart)
        if let dtend = component.property("DTEND") {
            end = try time(dtend)
        } else if let duration = component.property("DURATION") {
            guard let seconds = ICalDuration.seconds(duration.value) else {
                throw ICalParseError(line: 0, "DURATION '\(ICalParser.clipped(duration.value))' is not a duration")
            }
            end = Self.end(of: start, after: seconds)
        } else {
            end = start.isDate ? start.adding(days: 1) : start
        }
        recurrenceID = try component.property("RECURRENCE-ID").map { property throws(ICalParseError) in try time(property) }
        summary = component.property("SUMMARY")?.text
        description = component.property("DESCRIPTION")?.text
        location = component.property("LOCATION")?.text
        status = component.property("STATUS").flatMap { Status(rawValue: $0.value.uppercased()) } ?? .confirmed
        transparent = component.property("TRANSP")?.value.uppercased() == "TRANSPARENT"
        classification = component.property("CLASS")?.value.uppercased() ?? "PUBLIC"
        rules = component.properties("RRULE").map(\.value)
        rdates = try times("RDATE")
        exdates = try times("EXDATE")
        attendees = component.properties("ATTENDEE").map { property in
            Attendee(address: Self.address(property.value), participation: property.parameter("PARTSTAT")?.uppercased() ?? "NEEDS-ACTION")
        }
        organizer = component.property("ORGANIZER").map { Self.address($0.value) }
        sequence = component.property("SEQUENCE").flatMap { Int($0.value) } ?? 0
        for property in component.properties where property.name.hasPrefix("X-") && extensions[property.name] == nil {
            extensions[property.name] = property.text
        }
    }

    /// DTSTART plus a DURATION: whole days for a day, the same kind of time otherwise (a
    /// floating start ends at a floating time, a zoned one in its zone).
    static func end(of start: ICalTime, after seconds: Int) -> ICalTime {
        switch start {
        case .date: return start.adding(days: max(1, seconds / 86_400))
        case .utc(let date): return .utc(date.addingTimeInterval(Double(seconds)))
        case .floating(let wall): return .floating(Self.wall(ICalTime.instant(wall, .gmt).addingTimeInterval(Double(seconds))))
        case .zoned(let wall, let zone):
            return .zoned(Self.wall(ICalTime.instant(wall, zone).addingTimeInterval(Double(seconds)), in: zone), zone)
        }
    }

    static func address(_ value: String) -> String {
        let text = value.trimmingCharacters(in: .whitespaces)
        return (text.lowercased().hasPrefix("mailto:") ? String(text.dropFirst(7)) : text).lowercased()
    }

    static func wall(_ instant: Date, in zone: TimeZone = .gmt) -> ICalTime.WallTime {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: instant)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let date = CivilTime.date(days: days)
        return ICalTime.WallTime(year: date.year, month: date.month, day: date.day, hour: time / 3600, minute: time / 60 % 60, second: time % 60)
    }
}

/// DURATION values (RFC 5545 §3.3.6): `PT1H30M`, `P1D`, `P2W`, `-PT15M`.
enum ICalDuration {
    static func seconds(_ text: String) -> Int? {
        var bytes = Substring(text.trimmingCharacters(in: .whitespaces).uppercased())
        var sign = 1
        if bytes.first == "+" || bytes.first == "-" {
            sign = bytes.first == "-" ? -1 : 1
            bytes = bytes.dropFirst()
        }
        guard bytes.first == "P", bytes.count >= 3, bytes.count <= 40 else { return nil }
        bytes = bytes.dropFirst()
        var total = 0
        var number = ""
        var inTime = false
        var any = false
        for character in bytes {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            if character == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            guard let value = Int(number), value <= 10_000_000 else { return nil }
            number = ""
            any = true
            switch (character, inTime) {
            case ("W", false): total += value * 7 * 86_400
            case ("D", false): total += value * 86_400
            case ("H", true): total += value * 3600
            case ("M", true): total += value * 60
            case ("S", true): total += value
            default: return nil
            }
        }
        guard number.isEmpty, any else { return nil }
        return sign * total
    }
}
