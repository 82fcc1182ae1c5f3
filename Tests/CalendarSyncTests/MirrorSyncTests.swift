import Accounts
import CalendarSync
import Foundation
import GoogleEmulator
import Jobs
import Postgres
import TestSupport
import Testing
import Worker

/// Busy blocks between the calendars of one owner's accounts, against the emulator, checked
/// rule by rule (docs/sync.md "The state after a sync").
@Suite struct MirrorSyncTests {
    static let work = "ada.work@example.com"

    /// Every rule a test can read off Google's state: exactly one live mirror per source and
    /// other calendar, with the source's times and the busy title, no orphan, no mirror of a
    /// mirror. Returns the problems found.
    static func check(_ emulator: GoogleEmulator, calendars: [String], now: Date = Date()) -> [String] {
        var problems: [String] = []
        let all = Dictionary(uniqueKeysWithValues: calendars.map { ($0, emulator.events(calendarID: $0)) })
        let isMirror = isMirrorEvent
        func live(_ event: [String: Any]) -> Bool { event["status"] as? String != "cancelled" }
        for calendar in calendars {
            for source in all[calendar]!
            where !isMirror(source) && live(source) && source["recurringEventId"] == nil
                && source["transparency"] as? String != "transparent"
            {
                let declined = (source["attendees"] as? [[String: Any]] ?? []).contains {
                    $0["self"] as? Bool == true && $0["responseStatus"] as? String == "declined"
                }
                if declined { continue }
                let sourceKey = "\(calendar)/\(source["id"] as! String)"
                for target in calendars where target != calendar {
                    let mirrors = all[target]!.filter { event in
                        isMirror(event) && live(event) && event["recurringEventId"] == nil
                            && ((event["extendedProperties"] as? [String: Any])?["private"] as? [String: Any])?["calworkerSource"] as? String
                                == sourceKey
                    }
                    if mirrors.count != 1 {
                        problems.append("\(sourceKey) has \(mirrors.count) live mirrors in \(target)")
                        continue
                    }
                    let mirror = mirrors[0]
                    if mirror["summary"] as? String != "Busy" {
                        problems.append("\(sourceKey) mirror in \(target) is titled \(mirror["summary"] ?? "-")")
                    }
                    for field in ["start", "end"] {
                        let wanted = source[field] as? [String: Any]
                        let got = mirror[field] as? [String: Any]
                        if wanted?["date"] as? String != got?["date"] as? String || !sameInstant(wanted?["dateTime"], got?["dateTime"]) {
                            problems.append("\(sourceKey) mirror in \(target) has \(field) \(got ?? [:]) not \(wanted ?? [:])")
                        }
                    }
                    if (source["recurrence"] as? [String]) != (mirror["recurrence"] as? [String]) {
                        problems.append("\(sourceKey) recurrence differs in \(target)")
                    }
                    if mirror["visibility"] as? String != "private" || (mirror["reminders"] as? [String: Any])?["useDefault"] as? Bool != false {
                        problems.append("\(sourceKey) mirror in \(target) is not private or rings")
                    }
                }
            }
            // No orphan: every live mirror names a live source.
            for mirror in all[calendar]! where isMirror(mirror) && live(mirror) && mirror["recurringEventId"] == nil {
                let source = ((mirror["extendedProperties"] as? [String: Any])?["private"] as? [String: Any])?["calworkerSource"] as? String ?? ""
                let parts = source.split(separator: "/", maxSplits: 1).map(String.init)
                let found = parts.count == 2 ? all[parts[0]]?.first { $0["id"] as? String == parts[1] } : nil
                if found == nil || !live(found!) || isMirror(found!) {
                    problems.append("orphan mirror \(mirror["id"] ?? "-") in \(calendar) for \(source)")
                }
            }
        }
        return problems
    }

    static func sameInstant(_ a: Any?, _ b: Any?) -> Bool {
        guard let a = a as? String, let b = b as? String else { return a == nil && b == nil }
        let formatter = ISO8601DateFormatter()
        guard let x = formatter.date(from: a), let y = formatter.date(from: b) else { return a == b }
        return x == y
    }

    /// Two accounts of one owner: Ada's personal calendar and her work account with its own
    /// calendar and a team calendar.
    static func twoAccounts() throws -> (SyncFixture, Int64) {
        let fixture = try SyncFixture(calendars: [SyncFixture.email])
        fixture.emulator.addAccount(email: work, refreshToken: "rt-work")
        try fixture.emulator.addCalendar(account: work, id: work, summary: "Work", timeZone: "Europe/Berlin", primary: true)
        try fixture.emulator.addCalendar(account: work, id: "team@group.calendar.google.com", summary: "Team")
        let second = try AccountStore(cipher: fixture.environment.tokenCipher)
            .add(email: work, owner: "owner-1", refreshToken: "rt-work", on: fixture.db).id
        return (fixture, second)
    }

    /// The group's three owned calendars.
    static let calendars = [SyncFixture.email, work, "team@group.calendar.google.com"]

    /// Two accounts with the sample events in both personal calendars, synced until the group's
    /// mirrors converged: where most mirror tests start.
    static func converged() throws -> (SyncFixture, Int64) {
        let (fixture, second) = try twoAccounts()
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        try SampleEvents.seed(fixture.emulator, calendarID: work, prefix: "w")
        for id in [fixture.accountID, second, fixture.accountID] { _ = try fixture.syncUntilSuccess(accountID: id) }
        return (fixture, second)
    }

    @Test func twoAccountsOfOneOwnerBlockEachOthersTimeAndConverge() throws {
        let (fixture, second) = try Self.twoAccounts()
        let calendars = [SyncFixture.email, Self.work, "team@group.calendar.google.com"]
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        try SampleEvents.seed(fixture.emulator, calendarID: Self.work, prefix: "w")
        try fixture.emulator.createEvent(
            calendarID: "team@group.calendar.google.com",
            [
                "id": "teamsync01", "summary": "Team sync",
                "start": ["dateTime": "2026-11-27T13:00:00Z"], "end": ["dateTime": "2026-11-27T14:00:00Z"],
            ])
        // Each account's job syncs its own copy and then the whole group's mirrors.
        for id in [fixture.accountID, second, fixture.accountID, second] {
            _ = try fixture.syncUntilSuccess(accountID: id)
        }
        #expect(Self.check(fixture.emulator, calendars: calendars) == [])
        let mirrors = calendars.flatMap { fixture.emulator.events(calendarID: $0) }.filter(isLiveMirror)
        // Three sources in each personal calendar (timed, all-day, a series), one in the team's,
        // each mirrored into the two other calendars.
        #expect(mirrors.count == 14)
        // The series' moved occurrence is an exception of each mirror series; the cancelled one is cancelled there.
        let mirrorInstances = calendars.flatMap { fixture.emulator.events(calendarID: $0) }.filter { event in
            ((event["recurringEventId"] as? String).map { id in mirrors.contains { $0["id"] as? String == id } }) ?? false
        }
        #expect(mirrorInstances.filter { $0["status"] as? String == "cancelled" }.count == 4)
        #expect(mirrorInstances.filter { $0["status"] as? String != "cancelled" }.count == 4)
        // Converged: another round of both accounts makes no write.
        fixture.emulator.resetStats()
        for id in [fixture.accountID, second] {
            let figures = try fixture.syncUntilSuccess(accountID: id)
            #expect(figures["mirrors_planned"] == 0, "account \(id): \(figures.json)")
        }
        #expect(
            fixture.emulator.requestCount(method: "POST") == 0
                || fixture.emulator.requestCount(method: "POST", route: "calendars/{calendarId}/events") == 0)
        #expect(fixture.emulator.requestCount(method: "PATCH") == 0 && fixture.emulator.requestCount(method: "DELETE") == 0)
    }
}

@Suite struct MirrorEditTests {
    @Test func userEditsAndHandEditedMirrorsConvergeAgain() throws {
        let (fixture, second) = try MirrorSyncTests.converged()
        let calendars = MirrorSyncTests.calendars
        #expect(MirrorSyncTests.check(fixture.emulator, calendars: calendars) == [])

        let emulator = fixture.emulator
        // The user moves one event, deletes another, declines a third, makes one free.
        try emulator.patchEvent(
            calendarID: SyncFixture.email, eventID: "etimed001",
            ["start": ["dateTime": "2026-11-23T15:00:00+01:00"], "end": ["dateTime": "2026-11-23T16:30:00+01:00"]])
        try emulator.deleteEvent(calendarID: SyncFixture.email, eventID: "eallday01")
        try emulator.patchEvent(
            calendarID: MirrorSyncTests.work, eventID: "wtimed001",
            ["attendees": [["email": MirrorSyncTests.work, "self": true, "responseStatus": "declined"]]])
        try emulator.patchEvent(calendarID: MirrorSyncTests.work, eventID: "wallday01", ["transparency": "transparent"])
        // ... adds an exception to a series, and edits and deletes mirrors by hand.
        try emulator.createEvent(
            calendarID: SyncFixture.email,
            [
                "id": "eseries01_20261214T083000Z", "summary": "Standup (late)",
                "recurringEventId": "eseries01", "originalStartTime": ["dateTime": "2026-12-14T09:30:00+01:00", "timeZone": "Europe/Berlin"],
                "start": ["dateTime": "2026-12-14T10:30:00+01:00", "timeZone": "Europe/Berlin"],
                "end": ["dateTime": "2026-12-14T10:45:00+01:00", "timeZone": "Europe/Berlin"],
            ])
        let mirrors = emulator.events(calendarID: MirrorSyncTests.work).filter(isLiveMirror)
        let handEdited = try #require(mirrors.first { ($0["id"] as? String).map { !$0.isEmpty } == true })
        try emulator.patchEvent(calendarID: MirrorSyncTests.work, eventID: handEdited["id"] as! String, ["summary": "Lunch with Bob"])
        let handDeleted = try #require(mirrors.last)
        try emulator.deleteEvent(calendarID: MirrorSyncTests.work, eventID: handDeleted["id"] as! String)
        let userEvents = calendars.flatMap { emulator.events(calendarID: $0) }.filter {
            !isMirrorEvent($0) && $0["recurringEventId"] == nil
        }

        for id in [second, fixture.accountID, second] { _ = try fixture.syncUntilSuccess(accountID: id) }
        #expect(MirrorSyncTests.check(emulator, calendars: calendars) == [])
        // Nothing calworker did not write was changed: every user event keeps its etag.
        for event in userEvents {
            let now = emulator.event(
                calendarID: calendars.first { calendar in
                    emulator.events(calendarID: calendar).contains { $0["id"] as? String == event["id"] as? String }
                }!,
                eventID: event["id"] as! String)
            #expect(now?["etag"] as? String == event["etag"] as? String, "user event \(event["id"] ?? "-") was touched")
        }
        // The new exception is an exception of each mirror series too.
        let late = calendars.flatMap { emulator.events(calendarID: $0) }.filter { ($0["id"] as? String)?.hasSuffix("_20261214T083000Z") == true }
        #expect(late.count == 3, "the source's exception and one in each mirror series")
    }

    @Test func mirroringConvergesUnderInjectedFaults() throws {
        let (fixture, second) = try MirrorSyncTests.twoAccounts()
        let calendars = [SyncFixture.email, MirrorSyncTests.work, "team@group.calendar.google.com"]
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        try SampleEvents.seed(fixture.emulator, calendarID: MirrorSyncTests.work, prefix: "w")
        // Upcoming team events, inside the mirror window.
        try SampleEvents.many(
            fixture.emulator, calendarID: "team@group.calendar.google.com", count: 30, prefix: "team",
            from: SyncFixture.now.addingTimeInterval(86_400))
        fixture.emulator.setFaults(rate: 0.1, kinds: [.rateLimit403, .serverError, .serviceUnavailable, .drop, .dropAfterApply], seed: 11)
        for id in [fixture.accountID, second, fixture.accountID, second] { _ = try fixture.syncUntilSuccess(attempts: 40, accountID: id) }
        fixture.emulator.clearFaults()
        for id in [fixture.accountID, second] { _ = try fixture.syncUntilSuccess(accountID: id) }
        #expect(MirrorSyncTests.check(fixture.emulator, calendars: calendars) == [])
    }
}

@Suite struct MirrorConcurrencyTests {
    @Test func twoAccountsOfOneGroupSyncingAtOnceMakeNoDuplicate() throws {
        let (fixture, second) = try MirrorSyncTests.twoAccounts()
        let calendars = [SyncFixture.email, MirrorSyncTests.work, "team@group.calendar.google.com"]
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        try SampleEvents.seed(fixture.emulator, calendarID: MirrorSyncTests.work, prefix: "w")
        // First copies, so both groups' plans have work to race over.
        for id in [fixture.accountID, second] {
            let db = try fixture.database.connect()
            _ = try fixture.sync(accountID: id, connection: db)
        }
        try fixture.db.execute("DELETE FROM calworker.events WHERE is_mirror")  // forget the mirrors locally: both plans re-insert
        for _ in 0..<3 {
            let failures = SharedList<String>()
            concurrently(2) { index in
                do {
                    let db = try fixture.database.connect()
                    _ = try fixture.sync(accountID: index == 0 ? fixture.accountID : second, connection: db)
                } catch {
                    failures.append("\(error)")
                }
            }
            #expect(failures.values.isEmpty, "\(failures.values)")
        }
        #expect(MirrorSyncTests.check(fixture.emulator, calendars: calendars) == [])
    }
}

@Suite struct AccountResetTests {
    @Test func aResetDeletesEveryMirrorOfTheAccountBothWaysAndNothingElse() throws {
        let (fixture, second) = try MirrorSyncTests.converged()
        let calendars = MirrorSyncTests.calendars
        func liveMirrors() -> [[String: Any]] {
            calendars.flatMap { fixture.emulator.events(calendarID: $0) }.filter(isLiveMirror)
        }
        #expect(liveMirrors().count == 12)
        let userEvents = calendars.flatMap { fixture.emulator.events(calendarID: $0) }.filter { !isMirrorEvent($0) }.map {
            "\($0["id"] ?? "") \($0["etag"] ?? "")"
        }

        guard case .success(let figures) = try fixture.cleanup(#"{"account_id": \#(second), "reset": true}"#) else {
            Issue.record("the reset did not succeed")
            return
        }
        // Every mirror touches the work account: in its two calendars, or of their events in Ada's.
        #expect(figures["mirrors_deleted"] == 12)
        #expect(liveMirrors().isEmpty)
        let after = calendars.flatMap { fixture.emulator.events(calendarID: $0) }.filter { !isMirrorEvent($0) }.map {
            "\($0["id"] ?? "") \($0["etag"] ?? "")"
        }
        #expect(Set(after).isSuperset(of: userEvents), "no user event changed")
        #expect(try fixture.db.query("SELECT count(*) FROM calworker.calendars WHERE account_id = $1", [second])[0].decode(Int.self, at: 0) == 0)
        #expect(throws: (any Error).self) { _ = try fixture.cleanup(#"{"account_id": 1}"#) }
    }
}

@Suite struct MirrorParticipationTests {
    @Test func calendarsTheAccountDoesNotOwnNeitherGiveNorTakeBusyBlocks() throws {
        let (fixture, second) = try MirrorSyncTests.twoAccounts()
        let holidays = "en.german#holiday@group.v.calendar.google.com"
        try fixture.emulator.addCalendar(account: SyncFixture.email, id: holidays, summary: "Holidays", accessRole: "reader")
        try fixture.emulator.createEvent(
            calendarID: holidays,
            [
                "id": "xmas000001", "summary": "Christmas",
                "start": ["date": "2026-12-25"], "end": ["date": "2026-12-26"],
            ])
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        for id in [fixture.accountID, second, fixture.accountID] { _ = try fixture.syncUntilSuccess(accountID: id) }
        #expect(fixture.emulator.events(calendarID: holidays).filter(isMirrorEvent).isEmpty, "nothing written into a read-only calendar")
        let owned = [SyncFixture.email, MirrorSyncTests.work, "team@group.calendar.google.com"]
        let sources = owned.flatMap { fixture.emulator.events(calendarID: $0) }.filter(isLiveMirror)
            .compactMap { (($0["extendedProperties"] as? [String: Any])?["private"] as? [String: Any])?["calworkerSource"] as? String }
        #expect(!sources.isEmpty && !sources.contains { $0.hasPrefix(holidays) }, "a reader calendar is no source")
        #expect(try fixture.local(holidays).count == 1, "but its events are in the local copy")
        #expect(MirrorSyncTests.check(fixture.emulator, calendars: owned) == [])
    }
}

@Suite struct MirrorReauthTests {
    @Test func aTargetAccountThatNeedsReauthIsSkippedAndReportedWhileTheRestProceeds() throws {
        let (fixture, second) = try MirrorSyncTests.converged()
        let calendars = MirrorSyncTests.calendars
        #expect(MirrorSyncTests.check(fixture.emulator, calendars: calendars) == [])
        let mirrorsInAda = fixture.emulator.events(calendarID: SyncFixture.email).filter(isLiveMirror).count

        // The user revokes calworker's access to the work account, then adds an event at home
        // and one at work (the work one reaches no local copy: that account cannot sync).
        try fixture.emulator.revoke(account: MirrorSyncTests.work)
        try fixture.emulator.createEvent(
            calendarID: SyncFixture.email,
            [
                "id": "dentist001", "summary": "Dentist",
                "start": ["dateTime": "2026-11-25T08:00:00Z"], "end": ["dateTime": "2026-11-25T09:00:00Z"],
            ])
        try fixture.emulator.patchEvent(
            calendarID: SyncFixture.email, eventID: "etimed001",
            ["start": ["dateTime": "2026-11-23T15:00:00+01:00"], "end": ["dateTime": "2026-11-23T16:00:00+01:00"]])
        let figures = try fixture.syncUntilSuccess(accountID: fixture.accountID)
        // Two writes into each of the work account's calendars (a new mirror, a moved one), none made.
        #expect(figures["mirror_writes_skipped_needs_reauth"] == 4, "\(figures.json)")
        #expect(figures["mirrors_inserted"] == 0 && figures["mirrors_patched"] == 0 && figures["mirrors_deleted"] == 0)
        #expect(try AccountStore(cipher: nil).account(id: second, on: fixture.db).state == .needsReauth)
        #expect(try fixture.accountState().state == .active, "the syncing account is not blamed for its target")
        #expect(
            fixture.emulator.events(calendarID: SyncFixture.email).filter(isLiveMirror).count == mirrorsInAda,
            "the work account's last known events still block Ada's time")

        // Reconnected with a new token, the next sync of either account converges everything.
        try fixture.emulator.seed(["accounts": [["email": MirrorSyncTests.work, "refresh_token": "rt-work-2"]]])
        let store = AccountStore(cipher: fixture.environment.tokenCipher)
        try store.saveTokens(id: second, AccountTokens(refreshToken: "rt-work-2"), on: fixture.db)
        try store.setState(id: second, .active, on: fixture.db)
        let after = try fixture.syncUntilSuccess(accountID: fixture.accountID)
        #expect(after["mirrors_inserted"] == 2 && after["mirrors_patched"] == 2, "\(after.json)")
        #expect(MirrorSyncTests.check(fixture.emulator, calendars: calendars) == [])
    }
}
