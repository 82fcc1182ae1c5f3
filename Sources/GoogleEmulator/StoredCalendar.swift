import Foundation

/// A calendar and every event ever written to it, tombstones included.
///
/// Two indexes make paging cheap and consistent while events change: `order` (by creation,
/// the stable order of a full list) and `changes` (every write, by change sequence, the order
/// of incremental lists). Both only grow, so a cursor in a page token never shifts.
struct StoredCalendar: Sendable {
    struct Change: Sendable {
        let seq: Int64
        let eventID: String
    }

    struct Created: Sendable {
        let createdSeq: Int64
        let eventID: String
    }

    let id: String
    var summary: String
    var description: String?
    var timeZone: String {
        didSet { zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }
    }
    /// `timeZone` parsed once: all-day dates are read in it.
    private(set) var zone: TimeZone
    /// Last change to the calendar resource itself (its etag).
    var seq: Int64
    /// Last change to any event (the `updated` of an events list).
    var updated: Date
    var events: [String: StoredEvent] = [:]
    private(set) var order: [Created] = []
    private(set) var changes: [Change] = []
    /// Sync tokens older than this are answered 410 (set by "invalidate sync tokens").
    var syncFloor: Int64 = 0

    init(id: String, summary: String, description: String? = nil, timeZone: String, seq: Int64, updated: Date) {
        self.id = id
        self.summary = summary
        self.description = description
        self.timeZone = timeZone
        self.zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        self.seq = seq
        self.updated = updated
    }

    /// Stores a written event and indexes the write. `event.seq` must be a fresh sequence.
    mutating func store(_ event: StoredEvent) {
        if events[event.id] == nil { order.append(Created(createdSeq: event.createdSeq, eventID: event.id)) }
        events[event.id] = event
        changes.append(Change(seq: event.seq, eventID: event.id))
        updated = max(updated, event.updated)
    }

    /// Index in `order` of the first event created after `createdSeq`.
    func orderIndex(after createdSeq: Int64) -> Int {
        var low = 0
        var high = order.count
        while low < high {
            let mid = (low + high) / 2
            if order[mid].createdSeq <= createdSeq { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Index in `changes` of the first write after `seq`.
    func changeIndex(after seq: Int64) -> Int {
        var low = 0
        var high = changes.count
        while low < high {
            let mid = (low + high) / 2
            if changes[mid].seq <= seq { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The `calendar#calendar` resource (`calendars.get`).
    func rendered() -> JSONValue {
        var object: [String: JSONValue] = [
            "kind": .string("calendar#calendar"), "etag": .string("\"\(seq)\""),
            "id": .string(id), "summary": .string(summary), "timeZone": .string(timeZone),
        ]
        if let description { object["description"] = .string(description) }
        return .object(object)
    }
}
