import CalendarSync
import Configuration
import Console
import JobQueue
import Jobs
import Dispatch
import HTTPServer
import Logging
import Postgres
import Worker

enum ConsoleCommand {
    static let command = Command(
        name: "console",
        summary: "Serve the operator console (run history, queues, retry and cancel) in the browser, until stopped",
        usage: "console [--http-addr HOST:PORT]",
        details: """
        Server-rendered pages, no script needed: the overview (workers, queues, the last hour's
        outcomes), runs with every filter of `calworker runs` in shareable URLs and keyset pages,
        and each job with its attempts, retry and cancel. Log in with CALWORKER_CONSOLE_TOKEN (or
        _FILE), which may act, or CALWORKER_CONSOLE_READONLY_TOKEN, which sees everything and
        changes nothing; failed logins are slowed down. Binds to 127.0.0.1:8080 unless told
        otherwise; behind HTTPS set CALWORKER_CONSOLE_SECURE_COOKIES=on. Every action is in
        `calworker audit` (origin console). SIGTERM or SIGINT stops it (exit 0).
        """,
        options: [.value("http-addr", "HOST:PORT", "where to listen (default 127.0.0.1:8080)")]
    ) { arguments, context in
        let address = arguments.value("http-addr") ?? "127.0.0.1:8080"
        let configuration = context.configuration
        let tokens: ConsoleTokens
        do throws(ConsoleError) {
            tokens = try ConsoleTokens(operatorToken: configuration.consoleToken, readOnlyToken: configuration.consoleReadOnlyToken)
        } catch {
            throw CLIError(.usage, error.message)
        }
        _ = try context.connectCurrent()
        let pool = ConnectionPool(url: configuration.databaseURL, size: 4, preparedStatements: configuration.usesPreparedStatements,
                                  timeouts: context.databaseTimeouts, purpose: "the console")
        let app: ConsoleApp
        do throws(ConsoleError) {
            app = try ConsoleApp(tokens: tokens, pool: pool, queue: context.queue, secureCookies: configuration.consoleSecureCookies,
                                 accountActions: accountActions(context))
        } catch {
            throw CLIError(.unavailable, error.message)
        }
        let server: HTTPServer
        do throws(HTTPServerError) {
            var limits = HTTPServer.Limits()
            limits.maxBodyBytes = 64 << 10
            server = try HTTPServer(address: address, limits: limits) { request in app.respond(to: request) }
        } catch {
            throw CLIError(.usage, "--http-addr: \(error.message)", hint: "pick a free port, e.g. --http-addr 127.0.0.1:8080")
        }
        let stopping = DispatchSemaphore(value: 0)
        SignalExit.takeOver { _ in stopping.signal() }
        server.start()
        context.logger.info("console serving", ["http_addr": address, "port": String(server.port)])
        stopping.wait()
        context.logger.notice("signal received; stopping")
        server.stop()
        return .ok
    }

    /// Sync now queues the account's sync as `calworker enqueue` would (its unique key keeps a
    /// queued one); a state change queues the channel upkeep as `accounts disable` does.
    static func accountActions(_ context: CommandContext) -> ConsoleAccountActions {
        let registry = context.registry
        let pushConfigured = context.registryEnvironment.google.push != nil
        return ConsoleAccountActions(
            syncNow: { accountID, db in
                try registry.enqueue(SyncAccountJob.self, SyncAccountJob.Args(.account(accountID)), queue: JobQueue(), on: db).id
            },
            stateChanged: { accountID, db in
                let live = try PushChannelStore().channels(accountID: accountID, includeEnded: false, on: db)
                guard pushConfigured || !live.isEmpty else { return }
                _ = try registry.enqueue(WatchChannelsJob.self, .init(.account(accountID)), queue: JobQueue(), on: db)
            })
    }
}
