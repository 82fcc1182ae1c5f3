import Accounts
import Foundation
public import HTTPServer
public import JobQueue
public import Postgres

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
    /// Whether this installation keeps push channels (`CALWORKER_PUSH_URL`): disabling or
    /// enabling an account then queues its channel upkeep, as `accounts disable` does.
    let pushConfigured: Bool
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
        pushConfigured: Bool = false, schedules: ConsoleSchedules? = nil, backups: ConsoleBackups? = nil,
        throttle: LoginThrottle = LoginThrottle(), proxies: TrustedProxies = .none
    ) throws(ConsoleError) {
        self.proxies = proxies
        self.pushConfigured = pushConfigured
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
        switch request.method {
        case "POST": return act(request, session: session)
        case "GET", "HEAD":
            guard let (route, values) = ConsoleRoute.find(request.path, in: Self.pages) else {
                return ConsolePage.message(status: 404, title: "Not found", "No such page; start from the overview.", session: signed(session))
            }
            let call = ConsoleCall(
                session: session, ids: values.ids, names: values.names, fields: ConsoleForm(request.query ?? ""),
                actor: "")
            do {
                return try route.answer(self, call)
            } catch {
                return unavailable(error, session: session)
            }
        default:
            return HTTPServerResponse(
                status: 405, body: "GET, HEAD or POST\n",
                headers: SecurityHeaders.fields + [(name: "Allow", value: "GET, HEAD, POST")])
        }
    }

    /// An action: the form must carry the session's CSRF token; anything but logging out needs
    /// the operator role; each is audited by its handler.
    private func act(_ request: HTTPServerRequest, session: ConsoleSessions.Session) -> HTTPServerResponse {
        let form = ConsoleForm(String(decoding: request.body, as: UTF8.self))
        guard let token = form["csrf"], sessions.checkCSRF(token, for: session) else {
            return ConsolePage.message(
                status: 403, title: "Refused",
                "This form was not sent from the console's own page; reload the page and try again.", session: signed(session))
        }
        let found = ConsoleRoute.find(request.path, in: Self.actions)
        if found?.route.access != .session {
            guard session.role.mayAct else {
                return ConsolePage.message(
                    status: 403, title: "Read-only",
                    "This session logged in with the read-only token: it can see everything and change nothing.",
                    session: signed(session))
            }
        }
        guard let (route, values) = found else {
            return ConsolePage.message(status: 404, title: "Not found", "No such action.", session: signed(session))
        }
        let peer = proxies.client(peer: request.peer, forwardedFor: request.header("X-Forwarded-For"))
        let call = ConsoleCall(
            session: session, ids: values.ids, names: values.names, fields: form,
            actor: "console-\(session.role.rawValue)@\(peer.isEmpty ? "local" : peer)")
        let response: HTTPServerResponse
        do {
            response = try route.answer(self, call)
        } catch {
            response = unavailable(error, session: session)
        }
        // A change may show on the overview: the next viewer reads it afresh.
        if route.access == .operator { overview.clear() }
        return response
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
