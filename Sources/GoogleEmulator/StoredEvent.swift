import Foundation

/// One event as the emulator keeps it: the fields its writers gave (Google keeps them as
/// given), plus what the server sets on every write.
///
/// A deleted event is not removed: it becomes a tombstone with `status: "cancelled"`, as on
/// Google, so an incremental list can report the deletion, `get` still returns it, and an
/// insert of the same id is a 409.
struct StoredEvent: Sendable {
    let id: String
    /// Writer-owned fields, `id` and `status` included; never the server-set ones below.
    var fields: [String: JSONValue]
    /// The change sequence at creation: the stable order of full lists. 0 for an instance of a
    /// recurring series that exists only virtually (never written).
    var createdSeq: Int64
    /// The change sequence of the last write: the etag, and what sync tokens compare against.
    var seq: Int64
    var created: Date
    var updated: Date
    /// iCalendar SEQUENCE: bumped when the times or the recurrence change.
    var sequence: Int64

    /// The properties of Google's `Event` schema; writers' other fields are dropped, as Google
    /// ignores them.
    static let schemaFields: Set<String> = [
        "anyoneCanAddSelf", "attachments", "attendees", "attendeesOmitted", "birthdayProperties", "colorId", "conferenceData",
        "created", "creator", "description", "end", "endTimeUnspecified", "etag", "eventLabelId", "eventType",
        "extendedProperties", "focusTimeProperties", "gadget", "guestsCanInviteOthers", "guestsCanModify",
        "guestsCanSeeOtherGuests", "hangoutLink", "htmlLink", "iCalUID", "id", "kind", "location", "locked", "organizer",
        "originalStartTime", "outOfOfficeProperties", "privateCopy", "recurrence", "recurringEventId", "reminders",
        "sequence", "source", "start", "status", "summary", "transparency", "updated", "visibility",
        "workingLocationProperties",
    ]

    /// Whether a writer's field is kept: in the schema and not the server's.
    static func isWritable(_ key: String) -> Bool {
        schemaFields.contains(key) && !serverFields.contains(key)
    }

    /// Fields a writer cannot set: the server owns them.
    static let serverFields: Set<String> = ["kind", "etag", "created", "updated", "htmlLink", "sequence"]

    var status: String { fields["status"]?.string ?? "confirmed" }
    var isCancelled: Bool { status == "cancelled" }
    var recurringEventID: String? { fields["recurringEventId"]?.string }
    var isSeries: Bool { !(fields["recurrence"]?.array ?? []).isEmpty }
    var eventType: String { fields["eventType"]?.string ?? "default" }
    var etag: String { "\"\(seq)\"" }
    var iCalUID: String { fields["iCalUID"]?.string ?? "\(recurringEventID ?? id)@google.com" }

    /// The full resource, as `get` and lists return it.
    func rendered(calendarID: String) -> JSONValue {
        var object = fields
        object["kind"] = .string("calendar#event")
        object["etag"] = .string(etag)
        object["id"] = .string(id)
        object["status"] = .string(status)
        object["created"] = .string(RFC3339.format(created))
        object["updated"] = .string(RFC3339.format(updated))
        object["iCalUID"] = .string(iCalUID)
        object["sequence"] = .int(sequence)
        object["eventType"] = .string(eventType)
        let eid = Data("\(id) \(calendarID)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        object["htmlLink"] = .string("https://www.google.com/calendar/event?eid=\(eid)")
        return .object(object)
    }

    /// What an incremental list (without `showDeleted`) returns for a cancelled event: Google
    /// only promises `id`, and for an instance `recurringEventId` and `originalStartTime`.
    func tombstone() -> JSONValue {
        var object: [String: JSONValue] = [
            "kind": .string("calendar#event"), "etag": .string(etag),
            "id": .string(id), "status": .string("cancelled"),
        ]
        if let series = fields["recurringEventId"] { object["recurringEventId"] = series }
        if let original = fields["originalStartTime"] { object["originalStartTime"] = original }
        return .object(object)
    }
}
