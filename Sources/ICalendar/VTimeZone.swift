public import Foundation

/// A `VTIMEZONE` component (RFC 5545 §3.6.5) for one zone, generated from the system's zone
/// data for the range a feed covers: one observance for the range's start and one for every
/// offset change inside it, each with its exact instant, so a client needs no zone database
/// of its own and cannot disagree with calworker about a time in the feed.
public enum VTimeZone {
    /// At most this many changes are written (a zone changing twice a year over 500 years).
    static let maximumTransitions = 1000

    public static func append(_ zone: TimeZone, covering range: ClosedRange<Date>, to output: inout [UInt8]) {
        ContentLine.append(name: "BEGIN", value: "VTIMEZONE", to: &output)
        ContentLine.append(name: "TZID", value: ICalText.escape(zone.identifier), to: &output)
        let first = zone.secondsFromGMT(for: range.lowerBound)
        observance(zone, at: range.lowerBound, from: first, to: first, output: &output)
        var cursor = range.lowerBound
        for _ in 0..<maximumTransitions {
            guard let change = zone.nextDaylightSavingTimeTransition(after: cursor), change <= range.upperBound, change > cursor else { break }
            let before = zone.secondsFromGMT(for: change.addingTimeInterval(-1))
            let after = zone.secondsFromGMT(for: change)
            if before != after { observance(zone, at: change, from: before, to: after, output: &output) }
            cursor = change
        }
        ContentLine.append(name: "END", value: "VTIMEZONE", to: &output)
    }

    /// One observance starting at `instant`, whose wall time is given in the offset before it.
    static func observance(_ zone: TimeZone, at instant: Date, from: Int, to: Int, output: inout [UInt8]) {
        let kind = zone.isDaylightSavingTime(for: instant) ? "DAYLIGHT" : "STANDARD"
        ContentLine.append(name: "BEGIN", value: kind, to: &output)
        ContentLine.append(name: "DTSTART", value: CivilTime.basicDateTime(Int(instant.timeIntervalSince1970.rounded(.down)) + from), to: &output)
        ContentLine.append(name: "TZOFFSETFROM", value: offset(from), to: &output)
        ContentLine.append(name: "TZOFFSETTO", value: offset(to), to: &output)
        if let name = zone.abbreviation(for: instant) { ContentLine.append(name: "TZNAME", value: ICalText.escape(name), to: &output) }
        ContentLine.append(name: "END", value: kind, to: &output)
    }

    /// `+0100`, `-0330`, `+053028` (seconds only when there are any).
    static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let value = abs(seconds)
        let text = sign + CivilTime.digits(value / 3600, 2) + CivilTime.digits(value / 60 % 60, 2)
        return value % 60 == 0 ? text : text + CivilTime.digits(value % 60, 2)
    }
}
