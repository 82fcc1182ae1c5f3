import Accounts
import Foundation
public import HTTPServer
public import JobQueue
import LocalCopy
public import Postgres
import Push
import Scheduling

/// The console's requests: login, the pages, and the actions. Every page needs a session;
/// every state change is a POST carrying the session's CSRF token and needs the operator role;
/// every response carries `SecurityHeaders`.
public final class ConsoleApp: Sendable {
    let tokens: ConsoleTokens
    let sessions: ConsoleSessions
    let throttle: LoginThrottle
    /// Whose `X-Forwarded-For` names the client (the login throttle counts by client).
    let proxies: TrustedProxies
    let pool: ConnectionPool
    let queue: JobQueue
    /// Cookies marked `Secure` (the console is served behind HTTPS).
    let secureCookies: Bool
    /// Sync now, and the channel upkeep after a state change; nil: the accounts page offers
    /// disable and enable only.
    let accountActions: ConsoleAccountActions?
    /// The definitions in `jobs/` for the schedules page; nil: the page says none were given.
    let schedules: ConsoleSchedules?
    /// The backups' listing; nil: the page says how to configure a target.
    let backups: ConsoleBackups?
    /// The overview's statistics and accounts needing attention, shared by every viewer for a
    /// second: its last-hour figures read a range of the history, which fifty refreshing
    /// pages should not read fifty times.
    let overview = SharedSnapshot<Overview>(lifetime: .seconds(1))

    struct Overview: Sendable {
        var statistics: QueueStatistics
        var attention: (accounts: [Account], total: Int)
    }

    public init(
        tokens: ConsoleTokens, pool: ConnectionPool, queue: JobQueue = JobQueue(), secureCookies: Bool = false,
        accountActions: ConsoleAccountActions? = nil, schedules: ConsoleSchedules? = nil, backups: ConsoleBackups? = nil,
        throttle: LoginThrottle = LoginThrottle(), proxies: TrustedProxies = .none
    ) throws(ConsoleError) {
        self.proxies = proxies
        self.accountActions = accountActions
        self.schedules = schedules
        self.backups = backups
        self.tokens = tokens
        do {
            sessions = try ConsoleSessions()
        } catch {
            throw ConsoleError("could not draw the session key: \(error)")
        }
        self.pool = pool
        self.queue = queue
        self.secureCookies = secureCookies
        self.throttle = throttle
    }

    /// Requests that wait for a handler thread when all are busy: a burst (fifty operators'
    /// pages refreshing at once) waits its turn instead of being answered "too many requests".
    public static let maxQueuedRequests = 256

    /// How `calworker console` serves: forms up to 64 KiB (a bulk filter's fields, with room to
    /// spare), and bursts queued.
    public static var serverLimits: HTTPServer.Limits {
        var limits = HTTPServer.Limits()
        limits.maxBodyBytes = 64 << 10
        limits.maxQueued = maxQueuedRequests
        return limits
    }

    public func respond(to request: HTTPServerRequest) -> HTTPServerResponse {
        let session = ConsoleForm.cookie(ConsoleSessions.cookieName, in: request.header("Cookie")).flatMap { sessions.verify($0) }
        switch (request.method, request.path) {
        case ("GET", "/static/console.css"), ("HEAD", "/static/console.css"):
            return HTTPServerResponse(
                status: 200, contentType: "text/css; charset=utf-8", body: ConsolePage.stylesheet,
                headers: SecurityHeaders.fields)
        case ("GET", "/static/console.js"), ("HEAD", "/static/console.js"):
            return HTTPServerResponse(
                status: 200, contentType: "text/javascript; charset=utf-8", body: ConsoleScript.source,
                headers: SecurityHeaders.fields)
        case ("GET", "/login"):
            return ConsolePage.response(title: "Log in", session: nil, body: LoginPage.body())
        case ("POST", "/login"):
            return login(request)
        default:
            break
        }
        guard let session else {
            if request.method == "GET" || request.method == "HEAD" { return ConsolePage.redirect(to: ConsoleLink(["login"])) }
            return ConsolePage.message(status: 403, title: "Not logged in", "Log in first: /login", session: nil)
        }
        if request.method == "POST" {
            let form = ConsoleForm(String(decoding: request.body, as: UTF8.self))
            guard let token = form["csrf"], sessions.checkCSRF(token, for: session) else {
                return ConsolePage.message(
                    status: 403, title: "Refused",
                    "This form was not sent from the console's own page; reload the page and try again.", session: signed(session))
            }
            if request.path == "/logout" {
                sessions.revoke(session)
                return ConsolePage.redirect(
                    to: ConsoleLink(["login"]), headers: [(name: "Set-Cookie", value: sessions.expiredCookie(secure: secureCookies))])
            }
            guard session.role.mayAct else {
                return ConsolePage.message(
                    status: 403, title: "Read-only",
                    "This session logged in with the read-only token: it can see everything and change nothing.",
                    session: signed(session))
            }
            defer { overview.clear() }
            return act(
                request.path, form: form, session: session, peer: proxies.client(peer: request.peer, forwardedFor: request.header("X-Forwarded-For")))
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPServerResponse(
                status: 405, body: "GET, HEAD or POST\n",
                headers: SecurityHeaders.fields + [(name: "Allow", value: "GET, HEAD, POST")])
        }
        return page(request, session: session)
    }

    /// A login. Failures slow down the client that made them (counted by the address a trusted
    /// proxy saw, else the TCP peer): past a few, its wrong tokens are answered 429 until its
    /// wait is over. The token is still checked, and a right one always logs in: nobody's
    /// failures, behind a shared proxy or not, lock out an operator who has the token. What
    /// makes guessing hopeless is the token's length (at least 16 characters; 64 hex digits
    /// from `openssl rand -hex 32` recommended), not the throttle.
    private func login(_ request: HTTPServerRequest) -> HTTPServerResponse {
        let client = proxies.client(peer: request.peer, forwardedFor: request.header("X-Forwarded-For"))
        let form = ConsoleForm(String(decoding: request.body, as: UTF8.self))
        if let role = form["token"].flatMap(tokens.role(for:)), let issued = try? sessions.issue(role) {
            throttle.recordSuccess(for: client)
            return ConsolePage.redirect(
                to: ConsoleLink([]), headers: [(name: "Set-Cookie", value: sessions.cookie(issued.value, secure: secureCookies))])
        }
        let wait = throttle.wait(for: client)
        throttle.recordFailure(for: client)
        if wait > 0 {
            return ConsolePage.response(
                status: 429, title: "Log in", session: nil,
                body: LoginPage.body(problem: "Too many failed logins from here; try again in \(Int(wait.rounded(.up))) s."),
                headers: [(name: "Retry-After", value: String(Int(wait.rounded(.up))))])
        }
        return ConsolePage.response(status: 401, title: "Log in", session: nil, body: LoginPage.body(problem: "That token does not log in."))
    }

    private func page(_ request: HTTPServerRequest, session: ConsoleSessions.Session) -> HTTPServerResponse {
        let query = ConsoleForm(request.query ?? "")
        let segments = request.path.split(separator: "/").map(String.init)
        do {
            switch segments.count {
            case 0:
                let current = try overview.value {
                    try pool.with { db in
                        Overview(
                            statistics: try queue.statistics(on: db),
                            attention: try AccountStore(cipher: nil).needingAttention(
                                failures: OverviewPage.attentionFailures, stale: OverviewPage.attentionStale, limit: 20, on: db))
                    }
                }
                return ConsolePage.response(
                    title: "Overview", session: signed(session), refresh: true,
                    body: OverviewPage.body(
                        current.statistics, attention: current.attention,
                        csrf: sessions.csrfToken(for: session), role: session.role))
            case 1 where segments[0] == "accounts":
                let rows = try pool.with { db -> [AccountsPage.Row] in
                    let accounts = try AccountStore(cipher: nil).list(on: db)
                    let calendars = try EventStore().calendarCounts(on: db)
                    let channels = try PushChannelStore().liveCounts(on: db)
                    return accounts.map { AccountsPage.Row(account: $0, calendars: calendars[$0.id] ?? 0, channels: channels[$0.id] ?? 0) }
                }
                return ConsolePage.response(
                    title: "Accounts", session: signed(session),
                    body: AccountsPage.body(rows, csrf: sessions.csrfToken(for: session), role: session.role))
            case 2 where segments[0] == "accounts":
                guard let id = Int64(segments[1]), id > 0 else { break }
                let found = try pool.with { db -> (AccountsPage.Row, [AccountPage.Calendar])? in
                    let account: Account
                    do {
                        account = try AccountStore(cipher: nil).account(id: id, on: db)
                    } catch let error as AccountError where error.code == .notFound {
                        return nil
                    }
                    let calendars = try AccountPage.calendars(of: id, on: db)
                    let channels = try PushChannelStore().liveCounts(accountID: id, on: db)[id] ?? 0
                    return (AccountsPage.Row(account: account, calendars: calendars.count, channels: channels), calendars)
                }
                guard let (row, calendars) = found else {
                    return ConsolePage.message(
                        status: 404, title: "Account \(id)", "No account \(id); see the accounts page.", session: signed(session))
                }
                return ConsolePage.response(
                    title: "Account \(row.account.email)", session: signed(session),
                    body: AccountPage.body(row, calendars: calendars, csrf: sessions.csrfToken(for: session), role: session.role))
            case 1 where segments[0] == "schedules":
                let now = Date()
                let rows = try pool.with { db -> [SchedulesPage.Row] in
                    guard let schedules else { return [] }
                    let fires = try ScheduleFires.newest(names: schedules.definitions.map(\.name), now: now, on: db)
                    return try schedules.definitions.map { definition in
                        let fire = fires[definition.name]
                        return SchedulesPage.Row(
                            definition: definition, lastFire: fire,
                            lastJob: try fire?.jobID.flatMap { try queue.job(id: $0, on: db) },
                            nextFire: schedules.nextFire(definition, now: now))
                    }
                }
                return ConsolePage.response(
                    title: "Schedules", session: signed(session), refresh: true,
                    body: SchedulesPage.body(rows, timeZone: schedules?.timeZone ?? .gmt, now: now))
            case 1 where segments[0] == "backups":
                let listed = Result { () throws(any Error) -> [ConsoleBackups.Entry] in try backups?.list() ?? [] }
                return ConsolePage.response(
                    title: "Backups", session: signed(session), body: BackupsPage.body(target: backups?.target, entries: listed))
            case 1 where segments[0] == "audit":
                let entries = try pool.with { db in try AuditLog().list(since: Date().addingTimeInterval(-30 * 86_400), limit: 500, on: db) }
                return ConsolePage.response(title: "Audit", session: signed(session), body: AuditPage.body(entries))
            case 1 where segments[0] == "bulk":
                let csrf = sessions.csrfToken(for: session)
                guard query["action"] != nil else {
                    return ConsolePage.response(
                        title: "Bulk actions", session: signed(session),
                        body: BulkPage.body(form: query, preview: nil, csrf: csrf, role: session.role, problem: nil))
                }
                switch BulkPage.request(query) {
                case .failure(let problem):
                    return ConsolePage.response(
                        status: 400, title: "Bulk actions", session: signed(session),
                        body: BulkPage.body(form: query, preview: nil, csrf: csrf, role: session.role, problem: problem.message))
                case .success(let (action, filter)):
                    let preview = try pool.with { db in
                        try queue.preview(action == .retry ? .retry : .cancel, filter, sample: 10, on: db)
                    }
                    return ConsolePage.response(
                        title: "Bulk actions", session: signed(session),
                        body: BulkPage.body(form: query, preview: preview, csrf: csrf, role: session.role, problem: nil))
                }
            case 1 where segments[0] == "runs":
                switch RunsPage.filter(query) {
                case .failure(let problem):
                    return ConsolePage.response(
                        status: 400, title: "Runs", session: signed(session),
                        body: RunsPage.body(query: query, runs: [], problem: problem.message))
                case .success(let filter):
                    let runs = try pool.with { db in try queue.runs(filter, on: db) }
                    return ConsolePage.response(
                        title: "Runs", session: signed(session), refresh: filter.before == nil,
                        body: RunsPage.body(query: query, runs: runs, problem: nil))
                }
            case 2 where segments[0] == "jobs":
                guard let id = Int64(segments[1]), id > 0 else { break }
                let found = try pool.with { db -> (JobRecord, [RunRecord])? in
                    guard let job = try queue.job(id: id, on: db) else { return nil }
                    return (job, Array(try queue.runs(RunFilter(jobID: id, limit: 1000), on: db).reversed()))
                }
                guard let (job, runs) = found else {
                    return ConsolePage.message(
                        status: 404, title: "Job \(id)", "No job \(id), and no run records of it (kept for the history's retention).",
                        session: signed(session))
                }
                return ConsolePage.response(
                    title: "Job \(id)", session: signed(session), refresh: job.state.isLive,
                    body: JobPage.body(job: job, runs: runs, csrf: sessions.csrfToken(for: session), role: session.role))
            default:
                break
            }
        } catch {
            return unavailable(error, session: session)
        }
        return ConsolePage.message(status: 404, title: "Not found", "No such page; start from the overview.", session: signed(session))
    }

    /// A session with its CSRF token, for the page shell's logout form.
    func signed(_ session: ConsoleSessions.Session) -> (ConsoleSessions.Session, csrf: String) {
        (session, sessions.csrfToken(for: session))
    }

    /// What a failed statement means for the person who asked: a value in the request the
    /// database cannot use (out of range, not a date) is their input's fault and a 400 saying
    /// so; anything else is an outage, 503.
    func unavailable(_ error: any Error, session: ConsoleSessions.Session) -> HTTPServerResponse {
        if let failure = error as? PostgresError, failure.isDataException {
            return ConsolePage.message(
                status: 400, title: "Refused",
                "A value in this request cannot be used: \(String(describing: failure).prefix(300)). Change it and try again.",
                session: signed(session))
        }
        return ConsolePage.message(
            status: 503, title: "Database unavailable",
            "The database did not answer (\(String(describing: error).prefix(300))); try again in a moment.", session: signed(session))
    }
}
