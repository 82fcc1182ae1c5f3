import Accounts
import CalendarSync
import Configuration
import Crypto
import Foundation
import JobArgs
import JobQueue
import Jobs
import LocalCopy
import Postgres
import Worker

enum AccountsCommand {
    static let command = Command(
        name: "accounts",
        summary: "Connect, list, show, disable calendar accounts (Google, CalDAV); rotate the token key",
        usage: """
            accounts list
                   calworker accounts add --email E [--owner O] --refresh-token-file F [--no-sync]
                   calworker accounts add --provider caldav --caldav-url URL --username U --password-file F [--owner O] [--email E]
                   calworker accounts show ID
                   calworker accounts disable ID | enable ID
                   calworker accounts reconnect ID --refresh-token-file F
                   calworker accounts rotate-key
                   calworker accounts reset ID
            """,
        details: """
            The platform's OAuth consent flow hands over the refresh token in a file (never on the
            command line, where `ps` and shell history would keep it). Tokens are encrypted with
            AES-256-GCM under CALWORKER_TOKEN_KEY; no command ever prints one.
            rotate-key: set the new key as CALWORKER_TOKEN_KEY and the old one in
            CALWORKER_TOKEN_KEY_PREVIOUS, run this, then drop the old key.
            add queues the account's first sync at once (a worker runs it); --no-sync leaves that to
            the next fan-out or to you.
            --provider caldav connects an iCloud, Fastmail, Nextcloud or other CalDAV account with
            an app-specific password (in a file): the URL must lead to its event calendars first
            (RFC 6764 discovery), and the password is encrypted like a refresh token.
            reconnect: a new refresh token for an account marked needs_reauth; it becomes active.
            reset: enqueue a cleanup job that deletes every busy block calworker wrote for the
            account (in its calendars, and of its events elsewhere) and clears its local copy.
            Nothing the user wrote is touched. Disable the account first if it should stay out.
            """,
        options: [
            .value("email", "E", "the Google account's e-mail address (add)"),
            .value("owner", "O", "the platform user it belongs to; accounts of one owner block each other's time (default: the e-mail)"),
            .value("refresh-token-file", "F", "a file holding the refresh token (add, reconnect)"),
            .flag("no-sync", "add: do not queue the account's first sync"),
            .value("provider", "P", "add: google (the default) or caldav"),
            .value("caldav-url", "URL", "add --provider caldav: the server's CalDAV address"),
            .value("username", "U", "add --provider caldav: the account's user name"),
            .value("password-file", "F", "add --provider caldav: a file holding the app-specific password"),
        ]
    ) { arguments, context in
        let action = arguments.positionals.first ?? "list"
        let store = try context.accountStore()
        func id() throws(CLIError) -> Int64 {
            guard arguments.positionals.count == 2, let id = Int64(arguments.positionals[1]), id > 0 else {
                throw CLIError(.usage, "usage: calworker accounts \(action) ID (a number; see calworker accounts list)")
            }
            return id
        }
        do {
            switch action {
            case "list":
                let db = try context.connectCurrent()
                let accounts = try store.list(on: db)
                context.emit(accounts) { table(accounts) }
            case "add":
                switch arguments.value("provider") ?? "google" {
                case "google": break
                case "caldav":
                    try addCalDAV(arguments, context, store)
                    return .ok
                case let other: throw CLIError(.usage, "--provider \(other.prefix(32)): one of google, caldav")
                }
                guard let email = arguments.value("email") else { throw CLIError(.usage, "accounts add needs --email") }
                let token = try readToken(arguments)
                let db = try context.connectCurrent()
                let account = try store.add(email: email, owner: arguments.value("owner"), refreshToken: token, on: db)
                let sync =
                    arguments.has("no-sync")
                    ? nil
                    : try context.registry.enqueue(SyncAccountArgs(.account(account.id)), queue: context.queue, on: db).id
                context.emit(Added(account: account, syncJob: sync)) {
                    "added account \(account.id) (\(account.email), owner \(account.owner)); "
                        + (sync.map { "its first sync is job \($0): calworker runs show \($0)" }
                            ?? "sync it with: calworker enqueue sync_account --args '{\"account_id\": \(account.id)}'")
                }
            case "show":
                let db = try context.connectCurrent()
                let account = try store.account(id: try id(), on: db)
                let calendars = try EventStore().calendarSummaries(accountID: account.id, on: db)
                struct Detail: Encodable {
                    var account: Account
                    var calendars: [[String: String]]
                }
                let rows = calendars.map { calendar in
                    [
                        "calendar_id": calendar.calendarID, "summary": calendar.summary, "access_role": calendar.accessRole,
                        "deleted": String(calendar.deleted), "excluded": String(calendar.excluded), "synced": String(calendar.synced),
                        "events": String(calendar.events + calendar.mirrors),
                    ]
                }
                context.emit(Detail(account: account, calendars: rows)) {
                    var text = table([account])
                    if !rows.isEmpty {
                        var calendarTable = Table(headers: ["CALENDAR", "SUMMARY", "ROLE", "EVENTS", "SYNCED", "STATE"])
                        for row in rows {
                            let state = row["deleted"] == "true" ? "deleted" : (row["excluded"] == "true" ? "excluded" : "-")
                            calendarTable.add([
                                row["calendar_id"]!, row["summary"]!, row["access_role"]!, row["events"]!,
                                row["synced"] == "true" ? "yes" : "no", state,
                            ])
                        }
                        text += "\n\n" + calendarTable.render()
                    }
                    return text
                }
            case "disable", "enable":
                let db = try context.connectCurrent()
                let accountID = try id()
                try store.setState(id: accountID, action == "disable" ? .disabled : .active, on: db)
                try context.queueChannelUpkeep(accountID: accountID, on: db)
                context.emit(["account": accountID]) { "account \(accountID) \(action)d" }
            case "reconnect":
                let accountID = try id()
                let token = try readToken(arguments)
                let db = try context.connectCurrent()
                try store.reconnect(id: accountID, refreshToken: token, on: db)
                context.emit(["account": accountID]) { "account \(accountID) reconnected and active" }
            case "reset":
                let accountID = try id()
                let db = try context.connectCurrent()
                _ = try store.account(id: accountID, on: db)
                let result = try context.registry.enqueue(CleanupArgs.reset(accountID: accountID), queue: context.queue, on: db)
                context.emit(["job": result.id]) {
                    result.duplicate
                        ? "a reset of account \(accountID) is already queued (job \(result.id))"
                        : "enqueued reset of account \(accountID) as job \(result.id); a worker carries it out"
                }
            case "rotate-key":
                let db = try context.connectCurrent()
                let rewritten = try store.rotateKeys(on: db)
                context.emit(["rewritten": rewritten]) { "re-encrypted \(rewritten) account(s) under key \(store.cipher?.current.id ?? "-")" }
            default:
                throw CLIError(.usage, "unknown action '\(action)'; one of list, add, show, disable, enable, reconnect, rotate-key, reset")
            }
        } catch let error as AccountError {
            switch error.code {
            case .notFound: throw CLIError(.notFound, error.message)
            case .duplicate:
                throw CLIError(.failure, error.message, hint: "to give it a new token: calworker accounts reconnect ID --refresh-token-file F")
            case .noKey: throw CLIError(.unavailable, error.message)
            case .invalid: throw CLIError(.usage, error.message)
            }
        }
        return .ok
    }

    static func readToken(_ arguments: ParsedArguments) throws(CLIError) -> String {
        try readSecret(arguments, option: "refresh-token-file", what: "token")
    }

    static func table(_ accounts: [Account]) -> String {
        if accounts.isEmpty { return "no accounts; connect one with: calworker accounts add --email E --refresh-token-file F" }
        var table = Table(headers: ["ID", "EMAIL", "PROVIDER", "OWNER", "STATE", "LAST SYNC", "PAUSED UNTIL", "LAST ERROR"])
        for account in accounts {
            table.add([
                String(account.id), account.email, account.provider, account.owner, account.state.rawValue,
                Formatting.shortTimestamp(account.lastSyncedAt), Formatting.shortTimestamp(account.pausedUntil),
                Formatting.truncate(account.lastError, 50),
            ])
        }
        return table.render()
    }

    /// What `accounts add --json` prints: the account's fields, and its first sync's job.
    struct Added: Encodable {
        var account: Account
        var syncJob: Int64?

        enum CodingKeys: String, CodingKey { case syncJob = "sync_job" }

        func encode(to encoder: any Encoder) throws {
            try account.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(syncJob, forKey: .syncJob)
        }
    }
}
