import Foundation
import MirrorPlanner

/// A planned mirror as Calendar API v3's `Event` JSON. Description, location (unless the
/// link shows it) and attendees are cleared; the private extended properties mark it as
/// calworker's and name its source.
enum GoogleMirrorBody {
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
}
