import Accounts
import Foundation
import Jobs
import Notify
import Postgres
import TestSupport
import Testing
import Worker

/// The owner of an account Google refused hears of it once, with the link to reconnect:
/// across alert runs, and after a worker died mid-send.
@Suite struct ReauthNoticeTests {
    func notices(_ fixture: NotifyFixture, to address: String) -> [SMTPTestServer.Received] {
        fixture.smtp.received().filter { $0.to == [address] && ($0.header("Subject") ?? "").contains("Reconnect your calendar") }
    }

    func alerts(_ fixture: NotifyFixture) throws -> JobFigures {
        switch try fixture.notify(#"{"alerts": true}"#) {
        case .success(let figures), .retry(_, _, let figures): return figures
        case .discard(let reason, _): throw ConnectError(message: reason)
        }
    }

    @Test func theOwnerIsToldOnceAcrossRunsAndACrash() throws {
        let fixture = try NotifyFixture(now: Date())
        fixture.environment.notify.alertInterval = .seconds(0)
        fixture.environment.notify.reauthURLTemplate = "https://app.example.com/reconnect?account={account_id}&who={email}"
        let store = AccountStore(cipher: nil)
        try store.setState(id: fixture.accountID, .needsReauth, error: "invalid_grant", on: fixture.db)
        #expect(try alerts(fixture)["reauth_notices_sent"] == 1)
        #expect(try alerts(fixture)["reauth_notices_sent"] == 0, "a second run sends nothing")
        let sent = notices(fixture, to: "ada@example.com")
        try #require(sent.count == 1)
        let text = QuotedPrintableTestDecoder.textPart(of: sent[0].text) ?? ""
        #expect(text.contains("https://app.example.com/reconnect?account=\(fixture.accountID)&who=ada%40example%2Ecom"), "\(text)")

        // Another owner's account; a worker claimed its notice and died before marking it.
        let bo = try fixture.db.query(
            """
            INSERT INTO calworker.accounts (email, owner, key_id, refresh_token, state) VALUES ('bo@example.com', 'bo', 'k', '\\x00', 'needs_reauth')
            RETURNING id, extract(epoch FROM updated_at)::bigint
            """)[0]
        let boID: Int64 = try bo.decode(at: 0)
        let since: Int64 = try bo.decode(at: 1)
        try fixture.db.execute(
            """
            INSERT INTO calworker.notifications (kind, key, recipient, channel, state, claimed_until, subject)
            VALUES ('reauth', $1, 'bo@example.com', 'email', 'sending', now() - interval '1 minute', 'Reconnect your calendar bo@example.com')
            """, ["reauth:\(boID):\(since)"])
        #expect(try alerts(fixture)["reauth_notices_sent"] == 1, "the dead worker's claim is taken over")
        #expect(try alerts(fixture)["reauth_notices_sent"] == 0)
        #expect(notices(fixture, to: "bo@example.com").count == 1 && notices(fixture, to: "ada@example.com").count == 1)
        let states = try fixture.db.query("SELECT state, count(*) FROM calworker.notifications WHERE kind = 'reauth' GROUP BY state")
            .map { "\(try $0.decode(String.self, at: 0))=\(try $0.decode(Int.self, at: 1))" }
        #expect(states == ["sent=2"])

        // Reconnected, then refused again: a new notice.
        try store.setState(id: fixture.accountID, .active, on: fixture.db)
        Thread.sleep(forTimeInterval: 1.1)
        try store.setState(id: fixture.accountID, .needsReauth, error: "invalid_grant again", on: fixture.db)
        #expect(try alerts(fixture)["reauth_notices_sent"] == 1)
        #expect(notices(fixture, to: "ada@example.com").count == 2)
    }

    @Test func withoutALinkConfiguredNoNoticeGoes() throws {
        let fixture = try NotifyFixture(now: Date())
        fixture.environment.notify.alertInterval = .seconds(0)
        try AccountStore(cipher: nil).setState(id: fixture.accountID, .needsReauth, error: "invalid_grant", on: fixture.db)
        #expect(try alerts(fixture)["reauth_notices_sent"] == 0)
        #expect(notices(fixture, to: "ada@example.com").isEmpty)
    }
}
