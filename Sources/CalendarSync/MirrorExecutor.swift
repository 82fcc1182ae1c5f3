import Foundation
import Google
import MirrorPlanner
import Postgres

/// Carries out planned writes, each with its target account's own client, and keeps the
/// local copy in step with what Google answered. It only ever writes events that carry
/// `calworkerMirror` (or occurrences of mirror series): anything else is refused.
final class MirrorExecutor {
    let client: CalendarClient
    let store = EventStore()
    let db: PostgresConnection
    /// What was written, counted as the run record reports it (`planned` is the caller's).
    private(set) var figures = MirrorReport()

    /// - Parameters:
    ///   - db: the session the local copy is updated on (the executor's own thread's).
    ///   - client: the target account's client: every write goes out with its token and budget.
    init(db: PostgresConnection, client: CalendarClient) {
        self.db = db
        self.client = client
    }

    func run(_ write: MirrorWrite, mirrorSeries: Set<String>) throws {
        try execute(write, client: client, mirrorSeries: mirrorSeries)
    }

    func execute(_ write: MirrorWrite, client: CalendarClient, mirrorSeries: Set<String>) throws {
        let calendar = write.target.calendarID
        switch write.action {
        case .insert:
            let body = Self.body(write.mirror!, includeID: true)
            do {
                try remember(client.insert(calendarID: calendar, event: body), in: write.target)
                figures.inserted += 1
            } catch CalendarClientError.api(let error) where error.status == 409 {
                // It exists (an earlier run wrote it, or it was deleted): converge it instead.
                figures.conflictsResolved += 1
                try converge(write, client: client, mirrorSeries: mirrorSeries)
            }
        case .patch, .restore:
            do {
                try remember(
                    client.patch(
                        calendarID: calendar, eventID: write.eventID, changes: Self.body(write.mirror!, includeID: false),
                        ifMatch: write.ifMatch), in: write.target)
                if write.action == .restore { figures.restored += 1 } else { figures.patched += 1 }
            } catch CalendarClientError.api(let error) where error.status == 412 || error.status == 404 {
                figures.conflictsResolved += 1
                try converge(write, client: client, mirrorSeries: mirrorSeries)
            }
        case .delete:
            do {
                try client.delete(calendarID: calendar, eventID: write.eventID, ifMatch: write.ifMatch)
                try markCancelled(write)
                figures.deleted += 1
            } catch CalendarClientError.api(let error) where error.status == 404 || error.status == 410 {
                try markCancelled(write)
            } catch CalendarClientError.api(let error) where error.status == 412 {
                figures.conflictsResolved += 1
                let current = try client.event(calendarID: calendar, eventID: write.eventID)
                guard Self.isMirror(current, id: write.eventID, mirrorSeries: mirrorSeries) else {
                    figures.refused += 1
                    return
                }
                try client.delete(calendarID: calendar, eventID: write.eventID, ifMatch: current["etag"] as? String)
                try markCancelled(write)
                figures.deleted += 1
            }
        }
    }

    /// After a 409, 412 or 404: read what is there now and bring it to the desired state.
    private func converge(_ write: MirrorWrite, client: CalendarClient, mirrorSeries: Set<String>) throws {
        let calendar = write.target.calendarID
        let read = Result { () throws(CalendarClientError) in try client.event(calendarID: calendar, eventID: write.eventID) }
        if case .failure(let failure) = read, case .api(let error) = failure, error.status == 404 {
            // Gone (a patch raced a purge): write it anew.
            try remember(client.insert(calendarID: calendar, event: Self.body(write.mirror!, includeID: true)), in: write.target)
            figures.inserted += 1
            return
        }
        let current = try read.get()
        guard Self.isMirror(current, id: write.eventID, mirrorSeries: mirrorSeries) else {
            figures.refused += 1
            return
        }
        let wasCancelled = current["status"] as? String == "cancelled"
        try remember(
            client.patch(
                calendarID: calendar, eventID: write.eventID, changes: Self.body(write.mirror!, includeID: false),
                ifMatch: current["etag"] as? String), in: write.target)
        if wasCancelled { figures.restored += 1 } else { figures.patched += 1 }
    }

    /// A mirror carries `calworkerMirror`; an occurrence of one of our mirror series may not
    /// carry it yet (Google builds it from the series).
    static func isMirror(_ event: [String: Any], id: String, mirrorSeries: Set<String>) -> Bool {
        let properties = (event["extendedProperties"] as? [String: Any])?["private"] as? [String: Any]
        if properties?["calworkerMirror"] as? String == "1" { return true }
        if let series = event["recurringEventId"] as? String { return mirrorSeries.contains(series) }
        return false
    }

    /// The mirror's fields as Google's JSON. Description, location and attendees are cleared.
    static func body(_ mirror: DesiredMirror, includeID: Bool) -> [String: Any] {
        func time(_ value: EventTime?) -> Any {
            guard let value else { return NSNull() }
            if let date = value.date { return ["date": date] }
            var object: [String: Any] = [:]
            if let instant = value.instant {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime]
                object["dateTime"] = formatter.string(from: instant)
            }
            if let zone = value.timeZone { object["timeZone"] = zone }
            return object
        }
        var body: [String: Any] = [
            "status": mirror.status, "summary": mirror.summary, "start": time(mirror.start), "end": time(mirror.end),
            "transparency": DesiredMirror.transparency, "visibility": DesiredMirror.visibility,
            "reminders": ["useDefault": false], "description": NSNull(), "location": mirror.location.map { $0 as Any } ?? NSNull(),
            "attendees": [Any](),
            "extendedProperties": ["private": ["calworkerMirror": "1", "calworkerSource": mirror.source]],
        ]
        if let recurrence = mirror.recurrence { body["recurrence"] = recurrence }
        if includeID { body["id"] = mirror.id }
        return body
    }

    /// Puts Google's answer into the local copy now, so the next plan sees it even before the
    /// target account's own sync fetches it.
    private func remember(_ event: [String: Any], in target: PlannedCalendar) throws {
        guard let data = try? JSONSerialization.data(withJSONObject: ["items": [event]]) else { return }
        try store.applyEvents(accountID: target.accountID, calendarID: target.calendarID, json: data, on: db)
    }

    /// Records a delete locally. An occurrence of a mirror series that was never stored gets a
    /// tombstone row, so the next plan does not cancel it again before the target's own
    /// listing brings Google's version.
    private func markCancelled(_ write: MirrorWrite) throws {
        let updated = try db.execute(
            """
            UPDATE calworker.events SET status = 'cancelled', raw = raw || '{"status": "cancelled"}', synced_at = now()
             WHERE account_id = $1 AND calendar_id = $2 AND event_id = $3
            """, [write.target.accountID, write.target.calendarID, write.eventID])
        guard updated == 0 else { return }
        var tombstone: [String: Any] = [
            "id": write.eventID, "status": "cancelled",
            "extendedProperties": ["private": ["calworkerMirror": "1"]],
        ]
        if let underscore = write.eventID.lastIndex(of: "_") { tombstone["recurringEventId"] = String(write.eventID[..<underscore]) }
        try remember(tombstone, in: write.target)
    }
}
