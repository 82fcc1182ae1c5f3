import Accounts
import Console
import Foundation
import HTTPServer
import JobQueue
import Postgres
import TestSupport
import Testing

/// The console's pages and actions at the HTTP level: who may see and do what, CSRF, escaping
/// of hostile values, and the headers every answer carries.
@Suite struct ConsoleAppTests {
    static let operatorToken = "operator-token-0123456789abcdef"
    static let readerToken = "reader-token-0123456789abcdef"

    struct Fixture {
        let database: TestDatabase
        let db: PostgresConnection
        let app: ConsoleApp

        init(
            pushConfigured: Bool = false, schedules: ConsoleSchedules? = nil, backups: ConsoleBackups? = nil,
            proxies: TrustedProxies = .none
        ) throws {
            database = try TestDatabase.make()
            db = try database.connect()
            app = try ConsoleApp(
                tokens: try ConsoleTokens(operatorToken: ConsoleAppTests.operatorToken, readOnlyToken: ConsoleAppTests.readerToken),
                pool: ConnectionPool(url: database.url, size: 2, purpose: "the console"), pushConfigured: pushConfigured,
                schedules: schedules, backups: backups, proxies: proxies)
        }

        func request(
            _ method: String, _ target: String, cookie: String? = nil, form: String? = nil, peer: String = "10.0.0.9",
            forwardedFor: String? = nil
        ) -> HTTPServerResponse {
            let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
            var headers: [(name: String, value: String)] = []
            if let cookie { headers.append((name: "Cookie", value: "other=1; cw_session=\(cookie)")) }
            if let forwardedFor { headers.append((name: "X-Forwarded-For", value: forwardedFor)) }
            var request = HTTPServerRequest(
                method: method, path: parts[0], query: parts.count > 1 ? parts[1] : nil, headers: headers,
                body: Array((form ?? "").utf8))
            request.peer = peer
            return app.respond(to: request)
        }

        /// Logs in with `token`; returns the session cookie's value.
        func login(_ token: String) throws -> String {
            let response = request("POST", "/login", form: "token=\(token)")
            #expect(response.status == 303)
            let cookie = try #require(response.headers.first { $0.name == "Set-Cookie" }?.value)
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            return String(cookie.dropFirst("cw_session=".count).prefix { $0 != ";" })
        }

        /// The CSRF token a page's forms carry.
        func csrf(on page: HTTPServerResponse) throws -> String {
            let html = String(decoding: page.body, as: UTF8.self)
            let match = try #require(html.firstMatch(of: /name="csrf" value="([0-9a-f]{64})"/))
            return String(match.1)
        }

        func discardedJob(args: String, error: String) throws -> Int64 {
            let id: Int64 = try db.query(
                """
                INSERT INTO calworker.jobs (kind, args, state, attempt, max_attempts, finished_at, last_error, subject)
                VALUES ('sync_account', $1::jsonb, 'discarded', 3, 3, now(), $2, 'account:12') RETURNING id
                """, [args, error])[0].decode(at: 0)
            _ = try JobQueue().moveFinished(batch: 10, on: db)
            return id
        }
    }

    func text(_ response: HTTPServerResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    /// The one script tag every page carries: the console's own file, never inline.
    static let ownScript = #"<script src="/static/console.js" defer></script>"#

    /// A page without that tag: any other `<script` in it is a value that escaped escaping.
    func withoutOwnScript(_ html: String) -> String { html.replacingOccurrences(of: Self.ownScript, with: "") }

    @Test func everyPageNeedsALoginAndEveryAnswerCarriesTheSecurityHeaders() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let anonymous = fixture.request("GET", "/runs?account=12")
        #expect(anonymous.status == 303 && anonymous.headers.contains { $0.name == "Location" && $0.value == "/login" })
        #expect(fixture.request("POST", "/jobs/1/retry", form: "csrf=x").status == 403)
        for response in [anonymous, fixture.request("GET", "/login"), fixture.request("GET", "/static/console.css")] {
            let names = Set(response.headers.map(\.name))
            #expect(
                names.isSuperset(of: ["Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cache-Control"]))
        }
        let login = text(fixture.request("GET", "/login"))
        #expect(login.contains(Self.ownScript) && !withoutOwnScript(login).contains("<script"), "no script but the console's own file, never inline")
        let script = fixture.request("GET", "/static/console.js")
        #expect(script.status == 200 && text(script).contains("data-refresh") && script.contentType.hasPrefix("text/javascript"))
    }

    @Test func aWrongTokenIsRefusedAndRepeatedFailuresAreSlowedDownButTheRightTokenAlwaysLogsIn() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        for _ in 0..<3 { #expect(fixture.request("POST", "/login", form: "token=guess-0123456789abcdef").status == 401) }
        let slowed = fixture.request("POST", "/login", form: "token=guess-0123456789abcdef")
        #expect(slowed.status == 429 && slowed.headers.contains { $0.name == "Retry-After" }, "past three failures, wrong tokens are slowed")
        #expect(fixture.request("POST", "/login", form: "token=\(Self.operatorToken)").status == 303, "the right token is never refused")
        #expect(fixture.request("POST", "/login", form: "token=guess-0123456789abcdef").status == 401, "a success starts the count afresh")
    }

    /// Behind the runbook's reverse proxy every TCP peer is 127.0.0.1: four wrong logins from
    /// anyone made the right token get 429. Now the throttle counts by the address the proxy
    /// saw, and only from a configured proxy is that header believed.
    @Test func behindAProxyTheThrottleCountsByClientAndAForgedHeaderIsIgnored() throws {
        let fixture = try Fixture(proxies: try TrustedProxies("127.0.0.1, ::1"))
        defer { fixture.database.drop() }
        func login(_ token: String, from client: String, peer: String = "127.0.0.1") -> Int {
            fixture.request("POST", "/login", form: "token=\(token)", peer: peer, forwardedFor: client).status
        }
        for _ in 0..<6 { _ = login("guess-0123456789abcdef", from: "203.0.113.66") }
        #expect(login("guess-0123456789abcdef", from: "203.0.113.66") == 429, "the attacker is slowed")
        #expect(login("guess-0123456789abcdef", from: "198.51.100.7") == 401, "another client behind the proxy is not")
        #expect(login(Self.operatorToken, from: "198.51.100.7") == 303)
        // A client that is not the proxy cannot choose who it is counted as.
        for _ in 0..<6 { _ = login("guess-0123456789abcdef", from: "198.51.100.8", peer: "192.0.2.44") }
        #expect(login("guess-0123456789abcdef", from: "198.51.100.8") == 401, "the forged header was not believed")
        #expect(login("guess-0123456789abcdef", from: "198.51.100.9", peer: "192.0.2.44") == 429, "the forger itself is counted")
        // The nearest untrusted hop counts: a chain through a second proxy of ours, and garbage.
        #expect(TrustedProxies.none.client(peer: "127.0.0.1", forwardedFor: "198.51.100.1") == "127.0.0.1")
        let proxies = try TrustedProxies("127.0.0.1, 10.0.0.0/8")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: "1.2.3.4, 198.51.100.1, 10.1.2.3") == "198.51.100.1")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: "<script>, 10.1.2.3") == "127.0.0.1")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: nil) == "127.0.0.1")
        for bad in ["localhost", "10.0.0.0/33", "::1/129", "1.2.3.4/x", "999.1.1.1"] {
            #expect(throws: ConsoleError.self) { try TrustedProxies(bad) }
        }
    }

    /// After a restart of PostgreSQL the pooled sessions were dead and every page said
    /// "Database unavailable" while the database was up.
    @Test func pagesAfterTheDatabaseRestartedAreServed() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let cookie = try fixture.login(Self.readerToken)
        #expect(fixture.request("GET", "/runs", cookie: cookie).status == 200)
        try fixture.database.terminateSessions(keeping: fixture.db)
        for page in ["/runs", "/", "/accounts", "/audit"] {
            let response = fixture.request("GET", page, cookie: cookie)
            #expect(response.status == 200, "\(page): \(text(response).prefix(300))")
        }
    }

    /// `/runs?before=9223372036854775807-1-1` answered 503 "The database did not answer
    /// (interval out of range)": an input error reported as an outage. Every hostile value is
    /// a 400 saying which field, and nothing reaches the database as an outage.
    @Test func hostileFilterValuesAreRefusedWith400NeverReportedAsAnOutage() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let cookie = try fixture.login(Self.readerToken)
        let refused = [
            "before=9223372036854775807-1-1", "before=-1-1-1", "before=1-0-1", "before=x", "job=-1", "job=99999999999999999999",
            "account=0", "until=99999-01-01T00:00:00Z", "since=9223372036854775807s", "since=-1h", "state=exploded", "arg=%3Dx",
            "subject=" + String(repeating: "s", count: 600), "error=" + String(repeating: "e", count: 1001),
        ]
        for query in refused {
            let response = fixture.request("GET", "/runs?" + query, cookie: cookie)
            #expect(response.status == 400, "\(query.prefix(60)): \(response.status) \(text(response).prefix(200))")
        }
        for query in ["kind=" + String(repeating: "k", count: 5000), "kind=%00x", "error=%00", "before=1796119200000000-12-1"] {
            let response = fixture.request("GET", "/runs?" + query, cookie: cookie)
            #expect(response.status == 200, "\(query.prefix(60)): \(response.status) \(text(response).prefix(200))")
        }
    }

    @Test func hostileValuesAreShownAsTextAndNeverAsMarkup() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let id = try fixture.discardedJob(
            args: #"{"account_id": 12, "note": "<script>alert(1)</script>", "url": "javascript:alert(2)"}"#,
            error: #"boom "quoted" <img src=x onerror=alert(3)> 'single'"#)
        let cookie = try fixture.login(Self.readerToken)
        for target in ["/jobs/\(id)", "/runs?account=12", "/runs?error=%3Cimg", "/runs?kind=%3Cscript%3Ealert(4)%3C%2Fscript%3E"] {
            let page = fixture.request("GET", target, cookie: cookie)
            let html = text(page)
            #expect(page.status == 200, "\(target)")
            #expect(!withoutOwnScript(html).contains("<script") && !html.contains("<img"), "\(target): \(html)")
            #expect(!html.contains("href=\"javascript:"), "\(target)")
        }
        let job = text(fixture.request("GET", "/jobs/\(id)", cookie: cookie))
        #expect(job.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && job.contains("&quot;quoted&quot;") && job.contains("&#39;single&#39;"))
    }

    @Test func anOperatorRetriesAJobWithTheFormsTokenAndTheAuditRecordsIt() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let id = try fixture.discardedJob(args: #"{"account_id": 12}"#, error: "gave up")
        let cookie = try fixture.login(Self.operatorToken)
        let page = fixture.request("GET", "/jobs/\(id)", cookie: cookie)
        #expect(text(page).contains("Retry now"))
        #expect(fixture.request("POST", "/jobs/\(id)/retry", cookie: cookie, form: "").status == 403, "no CSRF token")
        #expect(fixture.request("POST", "/jobs/\(id)/retry", cookie: cookie, form: "csrf=\(String(repeating: "0", count: 64))").status == 403)
        #expect(try JobQueue().job(id: id, on: fixture.db)?.state == .discarded, "refused requests changed nothing")
        let retried = fixture.request("POST", "/jobs/\(id)/retry", cookie: cookie, form: "csrf=\(try fixture.csrf(on: page))")
        #expect(retried.status == 303)
        #expect(try JobQueue().job(id: id, on: fixture.db)?.state == .available)
        let audit = try AuditLog().list(since: Date().addingTimeInterval(-60), limit: 10, on: fixture.db)
        #expect(
            audit.count == 1 && audit.first?.origin == "console" && audit.first?.action == "retry"
                && audit.first?.actor == "console-operator@10.0.0.9")
        let again = fixture.request("POST", "/jobs/\(id)/cancel", cookie: cookie, form: "csrf=\(try fixture.csrf(on: page))")
        #expect(again.status == 303)
        #expect(try JobQueue().job(id: id, on: fixture.db)?.state == .cancelled)
    }

    @Test func theReadOnlyTokenSeesEverythingAndChangesNothing() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let id = try fixture.discardedJob(args: #"{"account_id": 12}"#, error: "gave up")
        let cookie = try fixture.login(Self.readerToken)
        let page = fixture.request("GET", "/jobs/\(id)", cookie: cookie)
        #expect(page.status == 200 && !text(page).contains("Retry now"), "no action is offered")
        let logout = try fixture.csrf(on: page)
        for action in ["retry", "cancel"] {
            #expect(fixture.request("POST", "/jobs/\(id)/\(action)", cookie: cookie, form: "csrf=\(logout)").status == 403)
        }
        #expect(try JobQueue().job(id: id, on: fixture.db)?.state == .discarded)
        #expect(try AuditLog().list(since: Date().addingTimeInterval(-60), limit: 10, on: fixture.db).isEmpty)
        #expect(fixture.request("GET", "/", cookie: cookie).status == 200)
    }

    @Test func runsAreFilteredAndPagedByTheURLAndABadFilterSaysWhy() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        for account in [12, 13] {
            for _ in 0..<(account == 12 ? 60 : 5) { _ = try fixture.discardedJob(args: "{\"account_id\": \(account)}", error: "e\(account)") }
        }
        try fixture.db.execute("UPDATE calworker.job_runs SET subject = 'account:' || (args->>'account_id')")
        let cookie = try fixture.login(Self.readerToken)
        let first = text(fixture.request("GET", "/runs?account=12", cookie: cookie))
        #expect(first.components(separatedBy: "<tr><td>").count - 1 == 50 && !first.contains("account:13"))
        let next = try #require(first.firstMatch(of: /rel="next" href="([^"]+)"/)).1.replacingOccurrences(of: "&amp;", with: "&")
        let second = text(fixture.request("GET", String(next), cookie: cookie))
        #expect(second.components(separatedBy: "<tr><td>").count - 1 == 10 && !second.contains("rel=\"next\""))
        #expect(text(fixture.request("GET", "/runs?arg=account_id%3D13", cookie: cookie)).components(separatedBy: "<tr><td>").count - 1 == 5)
        let bad = fixture.request("GET", "/runs?account=twelve", cookie: cookie)
        #expect(bad.status == 400 && text(bad).contains("account is an account"))
        #expect(fixture.request("GET", "/jobs/999999", cookie: cookie).status == 404)
    }

    @Test func theServerOverLoopbackLogsInAndServesTheOverview() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let server = try HTTPServer(address: "127.0.0.1:0") { fixture.app.respond(to: $0) }
        server.start()
        defer { server.stop() }
        let client = try RawTCPClient(port: server.port)
        let body = "token=\(Self.operatorToken)"
        client.send(
            "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        )
        let answer = client.readAll()
        #expect(RawTCPClient.status(of: answer) == 303)
        let cookie = try #require(answer.firstMatch(of: /cw_session=([^;\r\n]+)/)).1
        let overview = try RawTCPClient(port: server.port)
        overview.send("GET / HTTP/1.1\r\nHost: x\r\nCookie: cw_session=\(cookie)\r\nConnection: close\r\n\r\n")
        let page = overview.readAll()
        #expect(RawTCPClient.status(of: page) == 200 && page.contains("<h1>Overview</h1>") && page.contains("Workers:"))
    }

    @Test func aBulkActionShowsItsExactCountFirstAndOnlyTheConfirmationActs() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let twelve = try (0..<3).map { _ in try fixture.discardedJob(args: #"{"account_id": 12}"#, error: "e") }
        let thirteen = try fixture.discardedJob(args: #"{"account_id": 13}"#, error: "e")
        let cookie = try fixture.login(Self.operatorToken)
        let dry = fixture.request("GET", "/bulk?action=retry&arg=account_id%3D12", cookie: cookie)
        #expect(dry.status == 200 && text(dry).contains("retry would act on 3 job(s) now"), "\(text(dry))")
        #expect(try twelve.allSatisfy { try JobQueue().job(id: $0, on: fixture.db)?.state == .discarded }, "a dry run changes nothing")
        #expect(fixture.request("GET", "/bulk?action=retry", cookie: cookie).status == 400, "no filter: refused")
        let done = fixture.request("POST", "/bulk", cookie: cookie, form: "action=retry&arg=account_id%3D12&csrf=\(try fixture.csrf(on: dry))")
        #expect(done.status == 200 && text(done).contains("acted on 3 job(s)"))
        #expect(try twelve.allSatisfy { try JobQueue().job(id: $0, on: fixture.db)?.state == .available })
        #expect(try JobQueue().job(id: thirteen, on: fixture.db)?.state == .discarded)
        let audit = try AuditLog().list(since: Date().addingTimeInterval(-60), limit: 10, on: fixture.db)
        #expect(audit.first?.action == "retry" && audit.first?.count == 3 && audit.first?.target.contains("account_id") == true)
        #expect(text(fixture.request("GET", "/audit", cookie: cookie)).contains("console-operator@10.0.0.9"))
    }

    @Test func anOperatorPausesAndResumesAQueueAndAReaderCannot() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        _ = try JobQueue().enqueue(NewJob(kind: "noop", queue: "mail"), on: fixture.db)
        let reader = try fixture.login(Self.readerToken)
        let readerPage = fixture.request("GET", "/", cookie: reader)
        #expect(!text(readerPage).contains(">Pause<"), "no control offered")
        #expect(fixture.request("POST", "/queues/mail/pause", cookie: reader, form: "csrf=\(try fixture.csrf(on: readerPage))").status == 403)
        let cookie = try fixture.login(Self.operatorToken)
        let page = fixture.request("GET", "/", cookie: cookie)
        let paused = fixture.request(
            "POST", "/queues/mail/pause", cookie: cookie, form: "reason=%3Cb%3Emaintenance&csrf=\(try fixture.csrf(on: page))")
        #expect(paused.status == 303)
        #expect(try JobQueue().pausedQueues(on: fixture.db).map(\.queue) == ["mail"])
        let after = text(fixture.request("GET", "/", cookie: cookie))
        #expect(after.contains("<span class=\"paused\">paused</span>") && after.contains(">Resume<"))
        #expect(fixture.request("POST", "/queues/mail/resume", cookie: cookie, form: "csrf=\(try fixture.csrf(on: page))").status == 303)
        #expect(try JobQueue().pausedQueues(on: fixture.db).isEmpty)
        let actions = try AuditLog().list(since: Date().addingTimeInterval(-60), limit: 10, on: fixture.db).map(\.action)
        #expect(Set(actions) == ["queue.pause", "queue.resume"])
    }

    @Test func loggingOutEndsTheSessionForGood() throws {
        let fixture = try Fixture()
        defer { fixture.database.drop() }
        let cookie = try fixture.login(Self.readerToken)
        let page = fixture.request("GET", "/", cookie: cookie)
        let out = fixture.request("POST", "/logout", cookie: cookie, form: "csrf=\(try fixture.csrf(on: page))")
        #expect(out.status == 303 && out.headers.contains { $0.name == "Set-Cookie" && $0.value.contains("Max-Age=0") })
        #expect(fixture.request("GET", "/", cookie: cookie).status == 303, "the old cookie, replayed, no longer logs in")
    }

    @Test func accountsShowTheirStateAndHostileEmailsAsTextAndAnOperatorActsOnThem() throws {
        let fixture = try Fixture(pushConfigured: true)
        defer { fixture.database.drop() }
        let ids = try ["<script>alert(1)</script>@example.com", "gone@example.com"].map { email in
            try fixture.db.query(
                """
                INSERT INTO calworker.accounts (email, owner, key_id, refresh_token) VALUES ($1, 'o"wner', 'k', '\\x00') RETURNING id
                """, [email])[0].decode(Int64.self, at: 0)
        }
        try AccountStore(cipher: nil).setState(id: ids[1], .needsReauth, error: "invalid_grant", on: fixture.db)
        let reader = try fixture.login(Self.readerToken)
        let readerPage = fixture.request("GET", "/accounts", cookie: reader)
        let html = text(readerPage)
        #expect(
            readerPage.status == 200 && !withoutOwnScript(html).contains("<script") && html.contains("&lt;script&gt;") && html.contains("o&quot;wner")
        )
        #expect(html.contains("accounts reconnect \(ids[1])"), "what to do about needs_reauth")
        #expect(!html.contains(">Disable<"))
        #expect(
            fixture.request("POST", "/accounts/\(ids[0])/disable", cookie: reader, form: "csrf=\(try fixture.csrf(on: readerPage))").status == 403)
        let cookie = try fixture.login(Self.operatorToken)
        let page = fixture.request("GET", "/accounts", cookie: cookie)
        let csrf = try fixture.csrf(on: page)
        #expect(fixture.request("POST", "/accounts/\(ids[0])/sync", cookie: cookie, form: "csrf=\(csrf)").status == 303)
        func queued(_ kind: String) throws -> [String] {
            try fixture.db.query(
                "SELECT coalesce(unique_key, '') || ' ' || coalesce(subject, '') FROM calworker.jobs WHERE kind = $1 AND args->>'account_id' = $2",
                [kind, String(ids[0])]
            ).map { try $0.decode(String.self, at: 0) }
        }
        // Queued as `calworker enqueue sync_account` would: keyed and described by its args.
        #expect(try queued("sync_account") == ["sync_account:\(ids[0]) account:\(ids[0])"])
        #expect(fixture.request("POST", "/accounts/\(ids[0])/sync", cookie: cookie, form: "csrf=\(csrf)").status == 303)
        #expect(try queued("sync_account").count == 1, "the unique key keeps the queued sync")
        #expect(fixture.request("POST", "/accounts/\(ids[0])/disable", cookie: cookie, form: "csrf=\(csrf)").status == 303)
        #expect(try AccountStore(cipher: nil).account(id: ids[0], on: fixture.db).state == .disabled)
        #expect(try queued("watch_channels") == ["watch_channels:\(ids[0]) account:\(ids[0])"], "push is configured: its channels' upkeep")
        #expect(fixture.request("POST", "/accounts/999999/enable", cookie: cookie, form: "csrf=\(csrf)").status == 404)
        let actions = try AuditLog().list(since: Date().addingTimeInterval(-60), limit: 10, on: fixture.db).map(\.action)
        #expect(Set(actions) == ["account.sync", "account.disable"])
    }
}
