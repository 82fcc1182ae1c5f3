import Foundation

@testable import MirrorPlanner

/// Applies planned writes to an in-memory copy the way Google would, so tests can check that
/// a second plan over the result is empty (a converged group makes no write).
struct PlannerSimulator {
    var events: [PlannedEvent]
    var etagCounter = 100

    mutating func apply(_ writes: [MirrorWrite]) {
        for write in writes {
            etagCounter += 1
            let etag = "\"\(etagCounter)\""
            let index = events.firstIndex { $0.calendarID == write.target.calendarID && $0.id == write.eventID }
            switch write.action {
            case .delete:
                if let index {
                    events[index].status = "cancelled"
                    events[index].etag = etag
                } else {
                    // Cancelling an occurrence of a mirror series that was never stored.
                    events.append(
                        PlannedEvent(
                            accountID: write.target.accountID, calendarID: write.target.calendarID, id: write.eventID,
                            etag: etag, status: "cancelled", isMirror: true))
                }
            case .insert, .patch, .restore:
                let mirror = write.mirror!
                var event =
                    index.map { events[$0] }
                    ?? PlannedEvent(accountID: write.target.accountID, calendarID: write.target.calendarID, id: write.eventID)
                event.etag = etag
                event.status = "confirmed"
                event.summary = mirror.summary
                event.location = mirror.location
                event.start = mirror.start
                event.end = mirror.end
                event.recurrence = mirror.recurrence
                event.recurringEventID = mirror.recurringEventID
                event.originalStart = mirror.originalStart
                event.transparency = DesiredMirror.transparency
                event.visibility = DesiredMirror.visibility
                event.remindersUseDefault = false
                event.isMirror = true
                event.mirrorSource = mirror.source
                if let index { events[index] = event } else { events.append(event) }
            }
        }
    }
}

enum Sample {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18
    static let a = PlannedCalendar(accountID: 1, calendarID: "ada@example.com")
    static let b = PlannedCalendar(accountID: 2, calendarID: "ada.work@example.com")
    static let c = PlannedCalendar(accountID: 2, calendarID: "team@group.calendar.google.com")

    static func at(_ hours: Double, zone: String? = nil) -> EventTime {
        EventTime(instant: now.addingTimeInterval(hours * 3600), timeZone: zone)
    }

    static func timed(_ id: String, in calendar: PlannedCalendar, from start: Double, hours: Double = 1) -> PlannedEvent {
        PlannedEvent(
            accountID: calendar.accountID, calendarID: calendar.calendarID, id: id, etag: "\"1\"", summary: "Private: \(id)",
            start: at(start, zone: "Europe/Berlin"), end: at(start + hours, zone: "Europe/Berlin"))
    }

    static let planner = MirrorPlanner(group: "owner-1", rules: SourceRules(now: now))
}
