import Foundation

/// The write rules of `events.insert`, `patch`, `update` and `delete`, shared by the API (the
/// client writing) and the admin interface (the user writing in Google Calendar).
extension EmulatorState {
    /// Fields no writer changes after creation.
    static let immutableFields: Set<String> = ["id", "iCalUID", "recurringEventId", "originalStartTime", "eventType"]

    /// The stored event, or an instance of a recurring series that has no exception yet
    /// (`<seriesId>_<20250301T090000Z>`): Google lets a client read and write every instance
    /// of a series by id, so the emulator makes one up from the series when asked.
    func event(calendarID: String, eventID: String) -> StoredEvent? {
        guard let calendar = calendars[calendarID] else { return nil }
        if let event = calendar.events[eventID] { return event }
        return virtualInstance(in: calendar, eventID: eventID)
    }

    /// Inserts a new event. `validateID`: the API checks a client-chosen id against Google's
    /// rules; the user (admin, seed) may store anything, instances of a series included.
    mutating func insertEvent(calendarID: String, body: [String: JSONValue], actor: String, validateID: Bool) throws(GoogleAPIError) -> StoredEvent {
        // Only what is needed is read from the calendar: a copy of it held across the write
        // below would make the write copy all its events.
        guard let (zone, summary) = calendars[calendarID].map({ ($0.zone, $0.summary) }) else { throw .notFound }
        var fields = body.filter { StoredEvent.isWritable($0.key) && $0.value != .null }
        let id: String
        if let given = fields["id"] {
            guard let text = given.string, !text.isEmpty, !validateID || EventID.isValidClientID(text) else {
                throw .invalid("Invalid resource id value.")
            }
            id = text
        } else {
            var candidate = EventID.random()
            while calendars[calendarID]!.events[candidate] != nil { candidate = EventID.random() }
            id = candidate
        }
        // Even a deleted event keeps its id: Google answers 409 for it too.
        guard calendars[calendarID]!.events[id] == nil else { throw .duplicate }
        fields["id"] = .string(id)
        fields["eventType"] = fields["eventType"] ?? .string("default")
        fields["reminders"] = fields["reminders"] ?? .object(["useDefault": .bool(true)])
        fields["creator"] = fields["creator"] ?? .object(["email": .string(actor)])
        fields["organizer"] = fields["organizer"] ?? .object(["email": .string(calendarID), "displayName": .string(summary)])
        try Self.validate(fields, calendarZone: zone)
        let seq = nextSeq()
        let now = now()
        let event = StoredEvent(
            id: id, fields: fields, createdSeq: seq, seq: seq, created: now, updated: now,
            sequence: body["sequence"]?.int ?? 0)
        calendars[calendarID]!.store(event)
        eventsChanged(calendarID: calendarID)
        return event
    }

    /// Patch semantics: top-level fields given replace those stored (`null` clears one);
    /// `extendedProperties.private`/`.shared` are merged key by key. A cancelled event patched
    /// with `status: "confirmed"` is restored.
    mutating func patchEvent(calendarID: String, eventID: String, patch: [String: JSONValue], ifMatch: String?) throws(GoogleAPIError) -> StoredEvent
    {
        guard let current = event(calendarID: calendarID, eventID: eventID) else { throw .notFound }
        try Self.check(ifMatch: ifMatch, current)
        var fields = current.fields
        for (key, value) in patch where StoredEvent.isWritable(key) && !Self.immutableFields.contains(key) {
            if key == "extendedProperties" {
                fields[key] = Self.mergeExtendedProperties(fields[key], value)
            } else if value == .null {
                fields.removeValue(forKey: key)
            } else {
                fields[key] = value
            }
        }
        return try commit(current, fields: fields, calendarID: calendarID)
    }

    /// Update semantics: the body replaces every writable field; what it leaves out is gone
    /// (status falls back to `confirmed`, reminders to the calendar's defaults).
    mutating func replaceEvent(calendarID: String, eventID: String, body: [String: JSONValue], ifMatch: String?) throws(GoogleAPIError) -> StoredEvent
    {
        guard let current = event(calendarID: calendarID, eventID: eventID) else { throw .notFound }
        try Self.check(ifMatch: ifMatch, current)
        var fields = body.filter {
            StoredEvent.isWritable($0.key) && !Self.immutableFields.contains($0.key) && $0.value != .null
        }
        for key in Self.immutableFields.union(["creator", "organizer"]) where fields[key] == nil {
            fields[key] = current.fields[key]
        }
        fields["reminders"] = fields["reminders"] ?? .object(["useDefault": .bool(true)])
        return try commit(current, fields: fields, calendarID: calendarID)
    }

    /// Deletion makes a tombstone (`status: "cancelled"`) that incremental lists report; a
    /// second delete is 410 `deleted`.
    mutating func deleteEvent(calendarID: String, eventID: String, ifMatch: String?) throws(GoogleAPIError) {
        guard let current = event(calendarID: calendarID, eventID: eventID) else { throw .notFound }
        guard !current.isCancelled else { throw .deleted }
        try Self.check(ifMatch: ifMatch, current)
        var fields = current.fields
        fields["status"] = .string("cancelled")
        _ = try commit(current, fields: fields, calendarID: calendarID)
    }

    /// Validates and stores a new version of an existing (or virtual) event.
    private mutating func commit(_ current: StoredEvent, fields: [String: JSONValue], calendarID: String) throws(GoogleAPIError) -> StoredEvent {
        try Self.validate(fields, calendarZone: calendars[calendarID]!.zone)
        var event = current
        if ["start", "end", "recurrence"].contains(where: { fields[$0] != current.fields[$0] }) { event.sequence += 1 }
        event.fields = fields
        event.seq = nextSeq()
        event.updated = now()
        if event.createdSeq == 0 {
            event.createdSeq = event.seq
            event.created = event.updated
        }
        calendars[calendarID]!.store(event)
        eventsChanged(calendarID: calendarID)
        return event
    }

    static func validate(_ fields: [String: JSONValue], calendarZone: TimeZone) throws(GoogleAPIError) {
        let status = fields["status"]?.string ?? "confirmed"
        guard ["confirmed", "tentative", "cancelled"].contains(status), fields["status"].map({ $0.string != nil }) ?? true else {
            throw .invalid("Invalid value for field status.")
        }
        for key in ["transparency", "visibility", "summary", "description", "location", "eventType"] {
            if let value = fields[key], value.string == nil { throw .invalid("Invalid value for field \(key).") }
        }
        if let recurrence = fields["recurrence"], recurrence.array?.allSatisfy({ $0.string != nil }) != true {
            throw .invalid("Invalid value for field recurrence.")
        }
        // A cancelled instance need carry nothing but its id, series and original start.
        if status != "cancelled" { _ = try EventTime.validatedRange(fields, calendarZone: calendarZone) }
    }

    /// If-Match: the write goes ahead only while the event still has that etag (`*`: any).
    static func check(ifMatch: String?, _ event: StoredEvent) throws(GoogleAPIError) {
        guard let ifMatch, ifMatch != "*" else { return }
        let tags = ifMatch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "") }
        guard tags.contains(event.etag) else { throw .conditionNotMet }
    }

    static func mergeExtendedProperties(_ stored: JSONValue?, _ patch: JSONValue) -> JSONValue? {
        guard let patchObject = patch.object else { return patch == .null ? nil : patch }
        var merged = stored?.object ?? [:]
        for (scope, value) in patchObject {
            guard let keys = value.object else {
                if value == .null { merged.removeValue(forKey: scope) } else { merged[scope] = value }
                continue
            }
            var map = merged[scope]?.object ?? [:]
            for (key, item) in keys {
                if item == .null { map.removeValue(forKey: key) } else { map[key] = item }
            }
            merged[scope] = .object(map)
        }
        return .object(merged)
    }

    /// An instance of a stored series, made from the series: same fields, its own start and
    /// end, `recurringEventId` and `originalStartTime`. The suffix must be a start of the right
    /// form (date for all-day series) not before the series starts nor after its `UNTIL`;
    /// RRULEs are not expanded further, so any such start is taken as an instance.
    private func virtualInstance(in calendar: StoredCalendar, eventID: String) -> StoredEvent? {
        guard let (seriesID, suffix) = EventID.instanceParts(eventID), let series = calendar.events[seriesID], series.isSeries,
            let range = try? EventTime.validatedRange(series.fields, calendarZone: calendar.zone),
            let original = RFC3339.parseBasic(suffix, zone: calendar.zone), original.allDay == range.start.allDay,
            original.date >= range.start.instant
        else { return nil }
        if let until = EventTime.recurrenceUntil(series.fields["recurrence"]?.array ?? [], calendarZone: calendar.zone),
            original.date > until
        {
            return nil
        }
        let zoneName = series.fields["start"]?["timeZone"]?.string
        let duration = range.end.instant.timeIntervalSince(range.start.instant)
        var fields = series.fields
        fields.removeValue(forKey: "recurrence")
        fields["id"] = .string(eventID)
        fields["recurringEventId"] = .string(seriesID)
        fields["iCalUID"] = .string(series.iCalUID)
        let start = EventTime.json(original.date, allDay: original.allDay, zoneName: zoneName, calendarZone: calendar.zone)
        fields["originalStartTime"] = start
        fields["start"] = start
        var end = original.date.addingTimeInterval(duration)
        if original.allDay {
            // Whole days in the calendar's zone, whatever a DST change does to 24-hour steps.
            var days = Calendar(identifier: .gregorian)
            days.timeZone = calendar.zone
            end = days.date(byAdding: .day, value: Int((duration / 86_400).rounded()), to: original.date) ?? end
        }
        fields["end"] = EventTime.json(
            end, allDay: original.allDay,
            zoneName: series.fields["end"]?["timeZone"]?.string ?? zoneName, calendarZone: calendar.zone)
        return StoredEvent(
            id: eventID, fields: fields, createdSeq: 0, seq: series.seq, created: series.created,
            updated: series.updated, sequence: series.sequence)
    }
}
