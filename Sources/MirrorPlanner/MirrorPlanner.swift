import Foundation

/// Computes, without any I/O, the writes that bring every participating calendar of one sync
/// group to docs/sync.md's state: exactly one live mirror of each source in every other calendar
/// its link admits (`MirrorPolicy`; by default every pair, busy only), mirrors equal to their
/// source's times with the link's detail, exceptions and cancelled occurrences reflected, and
/// no mirror without a source. Running it on its own output's result plans nothing: a
/// converged group costs no write.
public struct MirrorPlanner: Sendable {
    /// The sync group (the owner): part of every mirror id, so groups never share mirrors.
    public var group: String
    public var rules: SourceRules
    public var busyTitle: String
    public var policy: MirrorPolicy

    public init(group: String, rules: SourceRules, busyTitle: String = "Busy", policy: MirrorPolicy = MirrorPolicy()) {
        self.group = group
        self.rules = rules
        self.busyTitle = busyTitle
        self.policy = policy
    }

    /// - Parameters:
    ///   - calendars: the group's participating calendars.
    ///   - retired: calendars of the group that stopped participating (excluded by an operator)
    ///     but can still be written: every mirror in them goes.
    ///   - events: the local copy of all those calendars.
    public func plan(calendars: [PlannedCalendar], retired: [PlannedCalendar] = [], events: [PlannedEvent]) -> [MirrorWrite] {
        plan(calendars: calendars, retired: retired, events: events, checkpoint: { () throws(Never) in })
    }

    /// The same plan, calling `checkpoint` before each source event and each target calendar's
    /// clean-up: planning a large group (its title filters run over every source) is CPU work
    /// that a job's timeout or cancellation must be able to stop. Whatever `checkpoint` throws
    /// ends the planning with nothing planned.
    public func plan<Stop: Error>(
        calendars: [PlannedCalendar], retired: [PlannedCalendar] = [], events: [PlannedEvent], checkpoint: () throws(Stop) -> Void
    ) throws(Stop) -> [MirrorWrite] {
        // A calendar shared by two accounts of the group is one calendar: the first account writes.
        var seen = Set<String>()
        let participating = calendars.filter { seen.insert($0.calendarID).inserted }
        var byCalendar: [String: [String: PlannedEvent]] = [:]
        for event in events { byCalendar[event.calendarID, default: [:]][event.id] = event }

        var writes: [MirrorWrite] = []
        var instanceWrites: [MirrorWrite] = []
        var desired: [String: Set<String>] = [:]
        var seriesDuration: [String: TimeInterval] = [:]
        var seriesShown: [String: (summary: String, location: String?)] = [:]

        for source in participating {
            let sourceEvents = byCalendar[source.calendarID] ?? [:]
            let instancesBySeries = Dictionary(grouping: sourceEvents.values.filter(\.isInstance)) { $0.recurringEventID! }
            for event in sourceEvents.values.sorted(by: { $0.id < $1.id }) where !event.isInstance && rules.qualifies(event) {
                try checkpoint()
                for target in participating where target.calendarID != source.calendarID {
                    let link = policy.link(from: source.calendarID, to: target.calendarID)
                    guard link.admits(event) else { continue }
                    let mirrorID = MirrorID.make(
                        group: group, sourceCalendar: source.calendarID, sourceEvent: event.id,
                        targetCalendar: target.calendarID)
                    let mirror = desiredMirror(of: event, id: mirrorID, sourceCalendar: source.calendarID, link: link)
                    seriesShown[mirrorID] = (mirror.summary, mirror.location)
                    desired[target.calendarID, default: []].insert(mirrorID)
                    if let start = event.start?.point, let end = event.end?.point { seriesDuration[mirrorID] = end.timeIntervalSince(start) }
                    if let write = converge(mirror, existing: byCalendar[target.calendarID]?[mirrorID], target: target) {
                        writes.append(write)
                    }
                    for instance in (instancesBySeries[event.id] ?? []).sorted(by: { $0.id < $1.id }) {
                        guard let suffix = MirrorID.instanceSuffix(of: instance.id, seriesID: event.id) else { continue }
                        let instanceID = mirrorID + "_" + suffix
                        desired[target.calendarID, default: []].insert(instanceID)
                        let existing = byCalendar[target.calendarID]?[instanceID]
                        if instance.isCancelled || !rules.isSourceKind(instance) || !link.admits(instance) {
                            // The occurrence is gone (or stopped qualifying): cancel it in the mirror series.
                            if existing?.isCancelled != true {
                                instanceWrites.append(MirrorWrite(action: .delete, target: target, eventID: instanceID, ifMatch: existing?.etag))
                            }
                            continue
                        }
                        var occurrence = desiredMirror(of: instance, id: instanceID, sourceCalendar: source.calendarID, link: link)
                        occurrence.recurrence = nil
                        occurrence.recurringEventID = mirrorID
                        occurrence.originalStart = instance.originalStart
                        if let write = converge(occurrence, existing: existing, target: target, virtualInstance: true) {
                            instanceWrites.append(write)
                        }
                    }
                }
            }
        }

        // Mirrors nothing wants any more, and hand-made exceptions of wanted mirror series.
        var cleanup: [MirrorWrite] = []
        for target in participating {
            try checkpoint()
            for event in (byCalendar[target.calendarID] ?? [:]).values.sorted(by: { $0.id < $1.id })
            where event.isMirror && !event.isCancelled && !(desired[target.calendarID]?.contains(event.id) ?? false) {
                if let series = event.recurringEventID, desired[target.calendarID]?.contains(series) == true {
                    // An occurrence of a wanted mirror series edited by hand: back to the series' times.
                    if let write = revert(event, series: series, duration: seriesDuration[series], shown: seriesShown[series], target: target) {
                        cleanup.append(write)
                    }
                } else {
                    cleanup.append(MirrorWrite(action: .delete, target: target, eventID: event.id, ifMatch: event.etag))
                }
            }
        }
        for calendar in retired where !seen.contains(calendar.calendarID) {
            for event in (byCalendar[calendar.calendarID] ?? [:]).values.sorted(by: { $0.id < $1.id })
            where event.isMirror && !event.isCancelled && !event.isInstance {
                cleanup.append(MirrorWrite(action: .delete, target: calendar, eventID: event.id, ifMatch: event.etag))
            }
        }
        // Series before their instances; deletions last (a moved source never leaves a gap).
        return writes + instanceWrites + cleanup
    }

    func desiredMirror(of source: PlannedEvent, id: String, sourceCalendar: String, link: MirrorLink) -> DesiredMirror {
        let recurring = !(source.recurrence ?? []).isEmpty
        var start = source.start
        var end = source.end
        if !recurring && source.recurringEventID == nil {
            // The zone matters only for expanding a series; a single event is its instants.
            start?.timeZone = nil
            end?.timeZone = nil
        }
        var summary = busyTitle
        var location: String?
        switch link.detail {
        case .busy: break
        case .title: summary = Self.shown(source.summary) ?? busyTitle
        case .titleLocation:
            summary = Self.shown(source.summary) ?? busyTitle
            location = Self.shown(source.location)
        }
        return DesiredMirror(
            id: id, status: "confirmed", summary: summary, location: location, start: start, end: end,
            recurrence: recurring ? source.recurrence : nil, source: "\(sourceCalendar)/\(source.id)")
    }

    /// A source's title or location as a mirror carries it: nil when empty, at most 1,024 characters.
    static func shown(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return String(text.prefix(1024))
    }

    /// The write that makes `existing` equal `mirror`, or nil when it already is.
    func converge(_ mirror: DesiredMirror, existing: PlannedEvent?, target: PlannedCalendar, virtualInstance: Bool = false) -> MirrorWrite? {
        guard let existing else {
            // An occurrence of a mirror series exists as soon as the series does: patch it.
            return MirrorWrite(action: virtualInstance ? .patch : .insert, target: target, eventID: mirror.id, mirror: mirror)
        }
        if existing.isCancelled {
            return MirrorWrite(action: .restore, target: target, eventID: mirror.id, mirror: mirror, ifMatch: existing.etag)
        }
        return matches(existing, mirror)
            ? nil : MirrorWrite(action: .patch, target: target, eventID: mirror.id, mirror: mirror, ifMatch: existing.etag)
    }

    func matches(_ existing: PlannedEvent, _ mirror: DesiredMirror) -> Bool {
        guard existing.summary == mirror.summary, existing.location == mirror.location,
            (existing.transparency ?? "opaque") == DesiredMirror.transparency,
            existing.visibility == DesiredMirror.visibility, existing.remindersUseDefault == false, existing.isMirror,
            (existing.recurrence ?? []) == (mirror.recurrence ?? [])
        else { return false }
        guard let start = existing.start, let end = existing.end, let wantedStart = mirror.start, let wantedEnd = mirror.end else { return false }
        return start.sameTime(as: wantedStart) && end.sameTime(as: wantedEnd)
    }

    /// A hand-edited occurrence of a mirror series, put back to the series' own times.
    func revert(
        _ event: PlannedEvent, series: String, duration: TimeInterval?, shown: (summary: String, location: String?)?,
        target: PlannedCalendar
    ) -> MirrorWrite? {
        guard let original = event.originalStart else { return nil }
        var end = original
        if let instant = original.instant, let duration { end.instant = instant.addingTimeInterval(duration) }
        let mirror = DesiredMirror(
            id: event.id, status: "confirmed", summary: shown?.summary ?? busyTitle, location: shown?.location,
            start: original, end: end,
            recurrence: nil, recurringEventID: series, originalStart: original,
            source: event.mirrorSource ?? "")
        return matches(event, mirror) ? nil : MirrorWrite(action: .patch, target: target, eventID: event.id, mirror: mirror, ifMatch: event.etag)
    }
}
