import Accounts
import CalendarProviders
import CalendarSync
import Foundation
import Google
import HTTPServer
import JobQueue
import Jobs
import Logging
import Postgres
import RequestBudgets
import Synchronization
import TestSupport
import Testing
import Worker

/// A server standing in for Google that answers what Google never should: garbage with status
/// 200, page tokens that repeat, secrets echoed back, absurd lifetimes and waits. The account
/// is first synced against the emulator, so there is a local copy to lose.
final class HostileGoogle: Sendable {
    final class Recorder: Sendable {
        /// Every request's path and Authorization header, in order.
        let seen = Mutex<[(path: String, authorization: String?)]>([])
    }

    let server: HTTPServer
    let recorder = Recorder()

    init(_ answer: @escaping @Sendable (HTTPServerRequest) -> HTTPServerResponse) throws {
        let recorder = self.recorder
        server = try HTTPServer(address: "127.0.0.1:0") { request in
            recorder.seen.withLock { $0.append((request.path, request.header("Authorization"))) }
            return answer(request)
        }
        server.start()
    }

    deinit { server.stop() }

    var url: String { "http://127.0.0.1:\(server.port)" }
    var requests: Int { recorder.seen.withLock { $0.count } }
    var authorizations: [String] { recorder.seen.withLock { $0.compactMap(\.authorization) } }

    static func json(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> HTTPServerResponse {
        HTTPServerResponse(status: status, contentType: "application/json", body: text, headers: headers)
    }
}

@Suite(.serialized) struct HostileGoogleTests {
    static let calendars = [SyncFixture.email, "team@example.com"]

    /// A fixture synced once against the emulator.
    func synced() throws -> SyncFixture {
        let fixture = try SyncFixture(calendars: Self.calendars, ownedCalendars: true)
        try SampleEvents.seed(fixture.emulator, calendarID: SyncFixture.email)
        _ = try fixture.syncUntilSuccess()
        return fixture
    }

    func environment(_ fixture: SyncFixture, api: String? = nil, token: String? = nil) -> JobEnvironment {
        var environment = fixture.environment
        if let api { environment.google.apiURL = api + "/calendar/v3" }
        if let token { environment.google.tokenURL = token + "/token" }
        return environment
    }

    func calendarStates(_ fixture: SyncFixture) throws -> [String: String] {
        var states: [String: String] = [:]
        for row in try fixture.db.query(
            "SELECT calendar_id, deleted::text, coalesce(sync_token, '-') FROM calworker.calendars WHERE account_id = $1",
            [fixture.accountID])
        {
            states[try row.decode(at: 0)] = "\(try row.decode(String.self, at: 1)) \(try row.decode(String.self, at: 2))"
        }
        states["(account's list token)"] = try fixture.db.query(
            "SELECT coalesce(calendar_list_sync_token, '-') FROM calworker.accounts WHERE id = $1",
            [fixture.accountID])[0].decode(String.self, at: 0)
        return states
    }

    @Test(arguments: [
        #"{"items": "x", "nextSyncToken": "s"}"#, #"{"nextSyncToken": "s"}"#, #"{"items": [{"id": 5}], "nextSyncToken": "s"}"#,
        "<html>maintenance</html>", #"{"items": [], "nextSyncToken": "s", "nextPageToken": "p"}"#,
    ])
    func aGarbageCalendarListWithStatus200DeletesNothing(body: String) throws {
        let fixture = try synced()
        // A full listing (the first, or after a 410) is the one that marks calendars it does
        // not name as deleted.
        try fixture.db.execute("UPDATE calworker.accounts SET calendar_list_sync_token = NULL WHERE id = $1", [fixture.accountID])
        let before = try calendarStates(fixture)
        #expect(before.filter { !$0.key.hasPrefix("(") }.values.allSatisfy { $0.hasPrefix("false") })
        let google = try HostileGoogle { _ in HostileGoogle.json(200, body) }
        #expect(throws: ProviderError.self) { try fixture.sync(environment: environment(fixture, api: google.url)) }
        #expect(try calendarStates(fixture) == before, "a calendar was marked deleted or its token changed")
        let cancelled = try fixture.db.query(
            "SELECT count(*) FROM calworker.events WHERE account_id = $1 AND status = 'cancelled' AND NOT is_mirror",
            [fixture.accountID])[0].decode(Int.self, at: 0)
        #expect(cancelled == cancelledBefore(fixture))
        // And the next sync against Google itself is as good as ever.
        _ = try fixture.syncUntilSuccess()
        try expectSameEvents(fixture, SyncFixture.email)
    }

    func cancelledBefore(_ fixture: SyncFixture) -> Int {
        fixture.remote(SyncFixture.email).values.filter { $0.hasPrefix("cancelled") }.count
    }

    @Test func aCalendarListPageTokenThatRepeatsEndsTheListing() throws {
        let fixture = try synced()
        let entry = #"{"id": "\#(SyncFixture.email)", "accessRole": "owner", "primary": true}"#
        let google = try HostileGoogle { _ in HostileGoogle.json(200, #"{"items": [\#(entry)], "nextPageToken": "forever"}"#) }
        let error = try #require(throws: ProviderError.self) { try fixture.sync(environment: environment(fixture, api: google.url)) }
        #expect("\(error)".contains("returned before"))
        // Asked twice, not paged at the budget until the job's timeout.
        #expect(google.requests == 2)
    }

    /// A page of events with the token it was asked with: a loop, ended at once. Empty pages
    /// may repeat a token a few times (Google sends empty pages before more events), and are
    /// ended too when they go on.
    @Test(arguments: [
        (
            #"{"items": [{"id": "same", "status": "confirmed", "start": {"date": "2026-11-24"}, "end": {"date": "2026-11-25"}}], "nextPageToken": "again"}"#,
            4
        ),
        (#"{"items": [], "nextPageToken": "again"}"#, 25),
    ])
    func anEventsPageTokenThatRepeatsEndsTheListing(page: String, mostRequests: Int) throws {
        let fixture = try synced()
        let google = try HostileGoogle { request in
            if request.path.hasSuffix("/calendarList") {
                let items = Self.calendars.map { #"{"id": "\#($0)", "accessRole": "owner"}"# }.joined(separator: ",")
                return HostileGoogle.json(200, #"{"items": [\#(items)], "nextSyncToken": "list-2"}"#)
            }
            return HostileGoogle.json(200, page)
        }
        let error = try #require(throws: ProviderError.self) { try fixture.sync(environment: environment(fixture, api: google.url)) }
        #expect("\(error)".contains("returned before"))
        #expect(google.requests <= mostRequests, "\(google.requests) requests")
    }

    @Test func aFullSyncPageWithoutItemsTombstonesNothing() throws {
        let fixture = try synced()
        let live = try fixture.db.query(
            "SELECT count(*) FROM calworker.events WHERE account_id = $1 AND status <> 'cancelled'",
            [fixture.accountID])[0].decode(Int.self, at: 0)
        #expect(live > 0)
        // Without a sync token, the next listing is a full one, which ends by tombstoning what it
        // did not see: a page with no items must not get that far.
        try fixture.db.execute("UPDATE calworker.calendars SET sync_token = NULL WHERE account_id = $1", [fixture.accountID])
        let google = try HostileGoogle { request in
            if request.path.hasSuffix("/calendarList") {
                let items = Self.calendars.map { #"{"id": "\#($0)", "accessRole": "owner"}"# }.joined(separator: ",")
                return HostileGoogle.json(200, #"{"items": [\#(items)], "nextSyncToken": "list-2"}"#)
            }
            return HostileGoogle.json(200, #"{"kind": "calendar#events", "nextSyncToken": "events-2"}"#)
        }
        #expect(throws: ProviderError.self) { try fixture.sync(environment: environment(fixture, api: google.url)) }
        #expect(
            try fixture.db.query(
                "SELECT count(*) FROM calworker.events WHERE account_id = $1 AND status <> 'cancelled'",
                [fixture.accountID])[0].decode(Int.self, at: 0) == live)
    }

    /// Fields the neutral columns read, in types Google does not document (a reminders flag
    /// that is a word, attendees that are no list, a number for a UID, a text for the original
    /// start): the event is stored and those columns hold nothing they cannot. An original start
    /// that claims to be a time and is none fails the page, which is retried, never half-stored.
    @Test(arguments: [
        (#""reminders": {"useDefault": "yes"}, "attendees": "everyone", "iCalUID": 7, "originalStartTime": "soon""#, true),
        (#""attendees": [{"self": "true", "responseStatus": "declined"}, {"self": true, "responseStatus": 5}]"#, true),
        (#""originalStartTime": {"dateTime": "soon"}"#, false),
    ])
    func fieldsOfUndocumentedTypesLeaveTheirColumnsEmptyOrFailThePage(fields: String, stored: Bool) throws {
        let fixture = try synced()
        let before = try fixture.db.query("SELECT count(*) FROM calworker.events")[0].decode(Int.self, at: 0)
        let event = #"{"id": "odd00001", "status": "confirmed", "start": {"date": "2026-11-24"}, "end": {"date": "2026-11-25"}, \#(fields)}"#
        let google = try HostileGoogle { request in
            if request.path.hasSuffix("/calendarList") {
                let items = Self.calendars.map { #"{"id": "\#($0)", "accessRole": "owner"}"# }.joined(separator: ",")
                return HostileGoogle.json(200, #"{"items": [\#(items)], "nextSyncToken": "list-2"}"#)
            }
            // The busy block written into the other calendar: Google answers with the event.
            if request.method == "POST" { return HostileGoogle.json(200, String(decoding: request.body, as: UTF8.self)) }
            return HostileGoogle.json(200, #"{"items": [\#(event)], "nextSyncToken": "events-2"}"#)
        }
        if stored {
            _ = try fixture.sync(environment: environment(fixture, api: google.url))
            let row = try fixture.db.query(
                """
                SELECT reminders_use_default IS NULL, original_start_time IS NULL, self_response
                  FROM calworker.events WHERE event_id = 'odd00001' LIMIT 1
                """)[0]
            #expect(try row.decode(Bool.self, at: 0) && row.decode(Bool.self, at: 1))
            #expect(try row.decodeOptional(String.self, at: 2) == (fields.contains("responseStatus") ? "5" : nil), "only a self that is true counts")
        } else {
            #expect(throws: ProviderError.self) { try fixture.sync(environment: environment(fixture, api: google.url)) }
            #expect(try fixture.db.query("SELECT count(*) FROM calworker.events")[0].decode(Int.self, at: 0) == before)
        }
    }

    /// A busy block's insert answered 200 with something that is not the event written (a page,
    /// another event): malformed, retried, and nothing of it stored.
    @Test(arguments: [#"{"items": [], "nextSyncToken": "x"}"#, #"{"id": "someoneelse", "status": "confirmed"}"#, "[]"])
    func aWriteAnsweredWithSomethingElseIsMalformedAndNotStored(answer: String) throws {
        let fixture = try synced()
        let event = #"{"id": "new00001", "status": "confirmed", "start": {"date": "2026-11-24"}, "end": {"date": "2026-11-25"}}"#
        let google = try HostileGoogle { request in
            if request.path.hasSuffix("/calendarList") {
                let items = Self.calendars.map { #"{"id": "\#($0)", "accessRole": "owner"}"# }.joined(separator: ",")
                return HostileGoogle.json(200, #"{"items": [\#(items)], "nextSyncToken": "list-2"}"#)
            }
            if request.method == "POST" { return HostileGoogle.json(200, answer) }
            return HostileGoogle.json(200, #"{"items": [\#(event)], "nextSyncToken": "events-2"}"#)
        }
        let error = try #require(throws: ProviderError.self) { try fixture.sync(environment: environment(fixture, api: google.url)) }
        #expect(error.kind == .malformed && error.isRetryable, "\(error)")
        #expect(try fixture.db.query("SELECT count(*) FROM calworker.events WHERE event_id = 'someoneelse'")[0].decode(Int.self, at: 0) == 0)
    }

    @Test func aTokenEndpointEchoingTheRequestLeavesNoSecretInColumnsOrLogs() throws {
        let fixture = try synced()
        let clientSecret = "GOCSPX-hostile-\(UUID().uuidString)"
        try fixture.db.execute("UPDATE calworker.accounts SET access_token_expires_at = now() - interval '1 hour' WHERE id = $1", [fixture.accountID])
        let tokens = try HostileGoogle { request in
            let echo = String(decoding: request.body, as: UTF8.self)
            let description = "could not parse \(echo); also saw \(echo.removingPercentEncoding ?? "")"
            let body = try! JSONSerialization.data(withJSONObject: ["error": "invalid_request", "error_description": description])
            return HTTPServerResponse(status: 400, contentType: "application/json", bytes: Array(body))
        }
        var environment = environment(fixture, token: tokens.url)
        environment.google.clientSecret = clientSecret
        #expect(throws: (any Error).self) { try fixture.sync(environment: environment) }
        #expect(tokens.requests >= 1)
        try expectNoSecret([SyncFixture.refreshToken, clientSecret], in: fixture)
    }

    @Test func anAPIAnswerEchoingTheAuthorizationHeaderLeavesNoTokenBehind() throws {
        let fixture = try synced()
        let google = try HostileGoogle { request in
            HostileGoogle.json(
                401,
                #"{"error": {"code": 401, "message": "Invalid Credentials: got Authorization: \#(request.header("Authorization") ?? "")", "errors": [{"reason": "authError", "message": "\#(request.header("Authorization") ?? "")"}]}}"#
            )
        }
        #expect(throws: (any Error).self) { try fixture.sync(environment: environment(fixture, api: google.url)) }
        let sent = google.authorizations
        #expect(sent.count == 2, "one refresh after the first 401, then it gives up")
        let tokens = sent.map { String($0.dropFirst("Bearer ".count)) }
        try expectNoSecret(tokens, in: fixture)
        let lastError = try #require(try fixture.accountState().lastError)
        #expect(lastError.contains("Invalid Credentials"))
    }

    @Test func anAbsurdTokenLifetimeIsHeldToADay() throws {
        let fixture = try synced()
        try fixture.db.execute("UPDATE calworker.accounts SET access_token_expires_at = now() - interval '1 hour' WHERE id = $1", [fixture.accountID])
        let tokens = try HostileGoogle { _ in
            HostileGoogle.json(200, #"{"access_token": "ya29.short-lived-\#(UUID().uuidString)", "expires_in": 1e15, "token_type": "Bearer"}"#)
        }
        _ = try? fixture.sync(environment: environment(fixture, token: tokens.url))
        let expiry = try #require(
            try fixture.db.query(
                "SELECT access_token_expires_at FROM calworker.accounts WHERE id = $1",
                [fixture.accountID])[0].decodeOptional(Date.self, at: 0))
        #expect(expiry > Date().addingTimeInterval(86_000) && expiry <= Date().addingTimeInterval(86_400 + 60))
    }

    @Test func anAbsurdRetryAfterSnoozesTheSyncForAnHourWithoutWaitingAndPausesTheAccount() throws {
        let fixture = try synced()
        let google = try HostileGoogle { _ in
            HostileGoogle.json(
                429, #"{"error": {"code": 429, "message": "Rate Limit Exceeded", "errors": [{"reason": "rateLimitExceeded"}]}}"#,
                headers: [("Retry-After", "9223372036854775807")])
        }
        var paused = environment(fixture, api: google.url)
        paused.google.sharedBudgets = PostgresRequestBudgets(conninfo: fixture.database.url)
        let started = ContinuousClock.now
        let result = try fixture.sync(environment: paused)
        guard case .retry(let after, _, _) = result else {
            Issue.record("expected a snooze, got \(result)")
            return
        }
        #expect(after == .seconds(3600), "the job comes back in the hour Google's answer is capped at")
        #expect(ContinuousClock.now - started < .seconds(5), "nothing was slept inside the attempt")
        #expect(google.requests == 1, "asked once")
        // Every process's next sync of the account waits for the pause instead of asking again.
        guard case .retry(let again, _, _) = try fixture.sync(environment: paused) else {
            Issue.record("expected the paused account to snooze")
            return
        }
        #expect(again > .seconds(3500) && google.requests == 1, "the shared budget held the request back")
    }

    @Test(arguments: HostileRetryAfter.long)
    func theTokenEndpointAskingForAnAbsurdWaitSnoozesTheSync(value: String) throws {
        let fixture = try synced()
        try fixture.db.execute("UPDATE calworker.accounts SET access_token_expires_at = now() - interval '1 hour' WHERE id = $1", [fixture.accountID])
        let tokens = try HostileGoogle { _ in HTTPServerResponse(status: 503, body: "busy", headers: [("Retry-After", value)]) }
        let started = ContinuousClock.now
        let result = try fixture.sync(environment: environment(fixture, token: tokens.url))
        guard case .retry(let after, _, _) = result else {
            Issue.record("expected a snooze, got \(result)")
            return
        }
        #expect(after == .seconds(3600) && tokens.requests == 1)
        #expect(ContinuousClock.now - started < .seconds(5))
        let state: String = try fixture.db.query("SELECT state FROM calworker.accounts WHERE id = $1", [fixture.accountID])[0].decode(at: 0)
        #expect(state == "active", "a busy token endpoint is not a revoked grant")
    }

    /// No column a person or a program reads, and no log line, holds any of `secrets`.
    func expectNoSecret(_ secrets: [String], in fixture: SyncFixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let columns = try fixture.db.query(
            """
            SELECT coalesce(string_agg(coalesce(last_error, ''), ' '), '') FROM calworker.accounts
            UNION ALL SELECT coalesce(string_agg(coalesce(last_error, ''), ' '), '') FROM calworker.jobs
            UNION ALL SELECT coalesce(string_agg(coalesce(error, ''), ' '), '') FROM calworker.job_runs
            """
        ).map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
        let logs = fixture.logs.records.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        for secret in secrets {
            #expect(!columns.contains(secret), "a secret is stored: \(columns)", sourceLocation: sourceLocation)
            #expect(!logs.contains(secret), "a secret is logged", sourceLocation: sourceLocation)
            #expect(!columns.contains(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret), sourceLocation: sourceLocation)
        }
    }
}
