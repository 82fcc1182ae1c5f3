import CalendarProviders
import Foundation
import LocalCopy
import MirrorPlanner
import Postgres

/// Carries out planned writes, each with its target account's own provider, and keeps the
/// local copy in step with what the service answered. It only ever writes events that carry
/// calworker's mark (or occurrences of mirror series): anything else is refused.
final class MirrorExecutor {
    let provider: any CalendarProvider
    let store = EventStore()
    let db: PostgresConnection
    /// What was written, counted as the run record reports it (`planned` is the caller's).
    private(set) var figures = MirrorReport()

    /// - Parameters:
    ///   - db: the session the local copy is updated on (the executor's own thread's).
    ///   - provider: the target account's: every write goes out with its credentials and budget.
    init(db: PostgresConnection, provider: any CalendarProvider) {
        self.db = db
        self.provider = provider
    }

    func run(_ write: MirrorWrite, mirrorSeries: Set<String>) throws {
        let calendar = write.target.calendarID
        switch write.action {
        case .insert:
            do {
                try remember(provider.insertMirror(write.mirror!, calendarID: calendar), in: write.target)
                figures.inserted += 1
            } catch let error as ProviderError where error.kind == .conflict {
                // It exists (an earlier run wrote it, or it was deleted): converge it instead.
                figures.conflictsResolved += 1
                try converge(write, mirrorSeries: mirrorSeries)
            }
        case .patch, .restore:
            do {
                try remember(
                    provider.updateMirror(write.mirror!, calendarID: calendar, eventID: write.eventID, ifMatch: write.ifMatch), in: write.target)
                if write.action == .restore { figures.restored += 1 } else { figures.patched += 1 }
            } catch let error as ProviderError where error.kind == .preconditionFailed || error.kind == .notFound {
                figures.conflictsResolved += 1
                try converge(write, mirrorSeries: mirrorSeries)
            }
        case .delete:
            do {
                try provider.deleteMirror(calendarID: calendar, eventID: write.eventID, ifMatch: write.ifMatch)
                try markCancelled(write)
                figures.deleted += 1
            } catch let error as ProviderError where error.kind == .notFound {
                try markCancelled(write)
            } catch let error as ProviderError where error.kind == .preconditionFailed {
                figures.conflictsResolved += 1
                let current = try provider.currentEvent(calendarID: calendar, eventID: write.eventID)
                guard current.isMirror(mirrorSeries: mirrorSeries) else {
                    figures.refused += 1
                    return
                }
                try provider.deleteMirror(calendarID: calendar, eventID: write.eventID, ifMatch: current.etag)
                try markCancelled(write)
                figures.deleted += 1
            }
        }
    }

    /// After a conflict, a failed precondition or a vanished event: read what is there now and
    /// bring it to the desired state.
    private func converge(_ write: MirrorWrite, mirrorSeries: Set<String>) throws {
        let calendar = write.target.calendarID
        let current: RemoteEvent
        do {
            current = try provider.currentEvent(calendarID: calendar, eventID: write.eventID)
        } catch let error where error.kind == .notFound {
            // Gone (a patch raced a purge): write it anew.
            try remember(provider.insertMirror(write.mirror!, calendarID: calendar), in: write.target)
            figures.inserted += 1
            return
        }
        guard current.isMirror(mirrorSeries: mirrorSeries) else {
            figures.refused += 1
            return
        }
        try remember(
            provider.updateMirror(write.mirror!, calendarID: calendar, eventID: write.eventID, ifMatch: current.etag), in: write.target)
        if current.cancelled { figures.restored += 1 } else { figures.patched += 1 }
    }

    /// Puts the service's answer into the local copy now, so the next plan sees it even before
    /// the target account's own sync fetches it.
    private func remember(_ batch: EventBatch, in target: PlannedCalendar) throws {
        try store.applyEvents(accountID: target.accountID, calendarID: target.calendarID, batch, on: db)
    }

    /// Records a delete locally. An occurrence of a mirror series that was never stored gets a
    /// tombstone row, so the next plan does not cancel it again before the target's own
    /// listing brings Google's version.
    private func markCancelled(_ write: MirrorWrite) throws {
        let updated = try store.markCancelled(accountID: write.target.accountID, calendarID: write.target.calendarID, eventID: write.eventID, on: db)
        guard updated == 0 else { return }
        var tombstone = ProviderEvent(id: write.eventID, status: "cancelled")
        tombstone.mirror = "1"
        if let underscore = write.eventID.lastIndex(of: "_") { tombstone.seriesId = String(write.eventID[..<underscore]) }
        try remember(EventBatch.events([tombstone]), in: write.target)
    }
}
