import Accounts
import Foundation
import HTTPServer
import JobArgs
import JobQueue
import Postgres
import Push
import Scheduling

/// The console's state changes, one route each: a POST with the session's CSRF token, from an
/// operator's session (logging out from any), each recorded in the audit log with who did it
/// and from where.
extension ConsoleApp {
    static let actions: [ConsoleRoute] = [
        ConsoleRoute([.literal("logout")], .session) { app, call in app.logout(call) },
        ConsoleRoute([.literal("bulk")], .operator) { app, call in app.bulk(call.fields, actor: call.actor, session: call.session) },
        ConsoleRoute([.literal("accounts"), .id, .oneOf(["sync", "disable", "enable"])], .operator) { app, call in
            app.account(call.ids[0], call.names[0], actor: call.actor, session: call.session)
        },
        ConsoleRoute([.literal("queues"), .name, .oneOf(["pause", "resume"])], .operator) { app, call in
            app.pauseOrResume(call.names[0], call.names[1], reason: call.fields["reason"], actor: call.actor, session: call.session)
        },
        ConsoleRoute([.literal("jobs"), .id, .oneOf(["retry", "cancel"])], .operator) { app, call in
            app.job(call.ids[0], call.names[0], actor: call.actor, session: call.session)
        },
    ]

    func logout(_ call: ConsoleCall) -> HTTPServerResponse {
        sessions.revoke(call.session)
        return ConsolePage.redirect(
            to: ConsoleLink(["login"]), headers: [(name: "Set-Cookie", value: sessions.expiredCookie(secure: secureCookies))])
    }

    func job(_ id: Int64, _ action: String, actor: String, session: ConsoleSessions.Session) -> HTTPServerResponse {
        do {
            try pool.with { db in
                try db.transaction { db in
                    if action == "retry" { _ = try queue.retry(id: id, on: db) } else { _ = try queue.cancel(id: id, on: db) }
                    try AuditLog().record(actor: actor, origin: "console", action: action, target: ["job": String(id)], count: 1, on: db)
                }
            }
        } catch let error as JobQueueError {
            return ConsolePage.message(status: 409, title: "Job \(id)", error.message, session: signed(session))
        } catch {
            return unavailable(error, session: session)
        }
        return ConsolePage.redirect(to: ConsoleLink(["jobs", String(id)]))
    }

    func pauseOrResume(
        _ name: String, _ action: String, reason: String?, actor: String,
        session: ConsoleSessions.Session
    ) -> HTTPServerResponse {
        do {
            try pool.with { db in
                try db.transaction { db in
                    let changed =
                        action == "pause"
                        ? try queue.pause(queue: name, reason: reason, by: actor, on: db)
                        : try queue.resume(queue: name, on: db)
                    if changed {
                        try AuditLog().record(actor: actor, origin: "console", action: "queue.\(action)", target: ["queue": name], count: nil, on: db)
                    }
                }
            }
        } catch let error as JobQueueError {
            return ConsolePage.message(status: 400, title: "Queue \(name)", error.message, session: signed(session))
        } catch {
            return unavailable(error, session: session)
        }
        return ConsolePage.redirect(to: ConsoleLink([]))
    }

    func account(_ id: Int64, _ action: String, actor: String, session: ConsoleSessions.Session) -> HTTPServerResponse {
        do {
            try pool.with { db in
                try db.transaction { db in
                    let store = AccountStore(cipher: nil)
                    _ = try store.account(id: id, on: db)
                    var target = ["account": String(id)]
                    switch action {
                    case "sync":
                        // As `calworker enqueue sync_account` would: its unique key keeps a queued one.
                        target["job"] = String(try queue.enqueue(SyncAccountArgs(.account(id)), on: db).id)
                    default:
                        try store.setState(id: id, action == "disable" ? .disabled : .active, on: db)
                        try ChannelUpkeep.queue(accountID: id, pushConfigured: pushConfigured, queue: queue, on: db)
                    }
                    try AuditLog().record(actor: actor, origin: "console", action: "account.\(action)", target: target, count: nil, on: db)
                }
            }
        } catch let error as AccountError {
            return ConsolePage.message(status: error.code == .notFound ? 404 : 409, title: "Account \(id)", error.message, session: signed(session))
        } catch let error as ConsoleError {
            return ConsolePage.message(status: 409, title: "Account \(id)", error.message, session: signed(session))
        } catch {
            return unavailable(error, session: session)
        }
        return ConsolePage.redirect(to: ConsoleLink(["accounts"]))
    }

    func bulk(_ form: ConsoleForm, actor: String, session: ConsoleSessions.Session) -> HTTPServerResponse {
        guard case .success(let (action, filter)) = BulkPage.request(form) else {
            return ConsolePage.message(
                status: 400, title: "Bulk actions", "The filter is not usable; count it again first.", session: signed(session))
        }
        let count: Int
        do {
            count = try pool.with { db in
                try db.transaction { db in
                    let touched: Int
                    switch action {
                    case .retry: touched = try queue.retryAll(filter, on: db).count
                    case .cancel:
                        let result = try queue.cancelAll(filter, on: db)
                        touched = result.cancelled.count + result.stopRequested.count
                    }
                    try AuditLog().record(actor: actor, origin: "console", action: action.rawValue, target: filter.described, count: touched, on: db)
                    return touched
                }
            }
        } catch {
            return unavailable(error, session: session)
        }
        return ConsolePage.message(
            status: 200, title: "Bulk actions",
            "\(action.rawValue) acted on \(count) job(s): those still matching when it committed.", session: signed(session))
    }
}
