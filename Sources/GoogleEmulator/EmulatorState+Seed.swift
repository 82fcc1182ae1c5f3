/// Seeding from JSON (the `--seed` file, `POST /admin/seed`, `GoogleEmulator.seed`):
///
/// ```json
/// {"options": {"shortPages": true},
///  "accounts": [{"email": "a@example.com", "refresh_token": "rt-a",
///                "calendars": [{"id": "a@example.com", "summary": "A", "primary": true, "accessRole": "owner",
///                               "timeZone": "Europe/Berlin", "events": [{"summary": "Standup", "start": ..., "end": ...}]}]}]}
/// ```
///
/// Events are written as the user writes them (ids optional, any id accepted, instances of a
/// series and cancelled tombstones included); an event whose id exists is replaced. A primary
/// calendar's id defaults to the account's email. `refresh_tokens` (an array) may stand for
/// `refresh_token`.
extension EmulatorState {
    mutating func seed(_ json: JSONValue) throws(GoogleAPIError) {
        guard let object = json.object else { throw .invalid("seed: expected a JSON object") }
        if let options = object["options"]?.object {
            var updated = self.options
            try updated.apply(options)
            self.options = updated
        }
        for account in object["accounts"]?.array ?? [] {
            guard let email = account["email"]?.string, !email.isEmpty else { throw .invalid("seed: every account needs an email") }
            ensureAccount(email)
            let tokens = (account["refresh_tokens"]?.array ?? []) + [account["refresh_token"] ?? .null]
            for token in tokens.compactMap(\.string) { addRefreshToken(token, for: email) }
            for calendar in account["calendars"]?.array ?? [] { try seedCalendar(calendar, account: email) }
        }
    }

    /// Adds one calendar (and its events) to an account's list.
    mutating func seedCalendar(_ json: JSONValue, account email: String) throws(GoogleAPIError) {
        guard let object = json.object else { throw .invalid("seed: a calendar must be a JSON object") }
        let primary = object["primary"]?.bool ?? false
        guard let id = object["id"]?.string ?? (primary ? email : nil), !id.isEmpty else {
            throw .invalid("seed: a calendar of \(email) has no id")
        }
        try addCalendar(
            account: email, id: id, summary: object["summary"]?.string, description: object["description"]?.string,
            timeZone: object["timeZone"]?.string, accessRole: object["accessRole"]?.string ?? "owner", primary: primary,
            hidden: object["hidden"]?.bool ?? false, backgroundColor: object["backgroundColor"]?.string)
        for (index, event) in (object["events"]?.array ?? []).enumerated() {
            do throws(GoogleAPIError) {
                guard let fields = event.object else { throw .invalid("an event must be a JSON object") }
                try writeAsUser(calendarID: id, fields: fields, actor: email)
            } catch {
                var error = error
                error.message = "seed: calendar \(id), event \(index): \(error.message)"
                throw error
            }
        }
    }

    /// Inserts, or replaces when the id exists (seeding the same file twice changes nothing
    /// but etags and sequences).
    @discardableResult
    mutating func writeAsUser(calendarID: String, fields: [String: JSONValue], actor: String) throws(GoogleAPIError) -> StoredEvent {
        if let id = fields["id"]?.string, calendars[calendarID]?.events[id] != nil {
            return try replaceEvent(calendarID: calendarID, eventID: id, body: fields, ifMatch: nil)
        }
        return try insertEvent(calendarID: calendarID, body: fields, actor: actor, validateID: false)
    }
}
