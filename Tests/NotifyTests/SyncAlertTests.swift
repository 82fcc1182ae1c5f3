import Accounts
import Foundation
import Jobs
import Notify
import Postgres
import TestSupport
import Testing
import Worker

/// Accounts that stop syncing reach the operators in minutes: failing three times in a row or
/// stale for half an hour, each alerted once while it lasts, and resolved when it ends.
@Suite struct SyncAlertTests {
    func digestTexts(_ fixture: NotifyFixture) -> [String] {
        fixture.smtp.received().filter { $0.to == ["ops@example.com"] }.map { QuotedPrintableTestDecoder.textPart(of: $0.text) ?? "" }
    }

    func alerts(_ fixture: NotifyFixture) throws -> JobFigures {
        switch try fixture.notify(#"{"alerts": true}"#) {
        case .success(let figures), .retry(_, _, let figures): return figures
        case .discard(let reason, _): throw ConnectError(message: reason)
        }
    }

    @Test func anAccountFailingThreeTimesAlertsOnceAndItsRecoveryIsResolved() throws {
        let fixture = try NotifyFixture(now: Date())
        fixture.environment.notify.alertInterval = .seconds(0)
        let store = AccountStore(cipher: nil)
        for attempt in 1...2 {
            try store.recordSync(id: fixture.accountID, error: "HTTP 503 (try \(attempt))", on: fixture.db)
            #expect(try alerts(fixture)["alerts_raised"] == 0, "two failures in a row are not yet trouble")
        }
        try store.recordSync(id: fixture.accountID, error: "HTTP 503 (try 3)", on: fixture.db)
        let third = try alerts(fixture)
        #expect(third["alerts_raised"] == 1 && third["sent"] == 1, "\(third.json)")
        #expect(digestTexts(fixture).last?.contains("account \(fixture.accountID) (ada@example.com): its last 3 syncs failed") == true)
        #expect(digestTexts(fixture).last?.contains("HTTP 503 (try 3)") == true)
        try store.recordSync(id: fixture.accountID, error: "HTTP 503 (try 4)", on: fixture.db)
        #expect(try alerts(fixture)["alerts_raised"] == 0, "once while it lasts")

        try store.recordSync(id: fixture.accountID, error: nil, on: fixture.db)
        let recovered = try alerts(fixture)
        #expect(recovered["alerts_raised"] == 1 && recovered["sent"] == 1)
        #expect(
            digestTexts(fixture).last?.contains("resolved: account \(fixture.accountID) (ada@example.com): its last 3 syncs failed") == true,
            "\(digestTexts(fixture).last ?? "")")
        #expect(try alerts(fixture)["alerts_raised"] == 0)

        for _ in 1...3 { try store.recordSync(id: fixture.accountID, error: "HTTP 503 again", on: fixture.db) }
        #expect(try alerts(fixture)["alerts_raised"] == 1, "failing again is a new alert")
        #expect(digestTexts(fixture).count == 3)
    }

    @Test func aStaleAccountAlertsAndOneThatRecoversBeforeTheDigestIsNeverSent() throws {
        let fixture = try NotifyFixture(now: Date())
        fixture.environment.notify.alertInterval = .seconds(0)
        let store = AccountStore(cipher: nil)
        try fixture.db.execute("UPDATE calworker.accounts SET last_synced_at = now() - interval '2 hours' WHERE id = $1", [fixture.accountID])
        let quiet = try fixture.db.query(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token, state, created_at)
            VALUES ('off@example.com', 'o', 'k', '\\x00', 'disabled', now() - interval '9 days') RETURNING id
            """)[0].decode(Int64.self, at: 0)
        let stale = try alerts(fixture)
        #expect(stale["alerts_raised"] == 1 && stale["sent"] == 1)
        #expect(digestTexts(fixture).last?.contains("account \(fixture.accountID) (ada@example.com) has not synced successfully since") == true)
        #expect(digestTexts(fixture).last?.contains("off@example.com") == false, "a disabled account (\(quiet)) is nobody's trouble")

        // A new stale account while digests wait for the interval, which syncs before it passes.
        fixture.environment.notify.alertInterval = .seconds(3600)
        let late = try fixture.db.query(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token, created_at)
            VALUES ('late@example.com', 'o', 'k', '\\x00', now() - interval '2 hours') RETURNING id
            """)[0].decode(Int64.self, at: 0)
        let waiting = try alerts(fixture)
        #expect(waiting["alerts_raised"] == 1 && waiting["alerts_pending"] == 1 && waiting["sent"] == 0, "\(waiting.json)")
        try store.recordSync(id: late, error: nil, on: fixture.db)
        let after = try alerts(fixture)
        #expect(after["alerts_pending"] == 0, "dropped before anyone was told: \(after.json)")
        #expect(try fixture.db.query("SELECT count(*) FROM calworker.alerts WHERE key LIKE '%:\(late)%'")[0].decode(Int.self, at: 0) == 0)
    }
}
