import Backup
import CalendarSync
import Configuration
import Console
import Dispatch
import Foundation
import HTTPServer
import JobQueue
import Jobs
import Logging
import Media
import Postgres
import Push
import Scheduling
import Worker

enum ConsoleCommand {
    static let command = Command(
        name: "console",
        summary: "Serve the operator console (run history, queues, retry and cancel) in the browser, until stopped",
        usage: "console [--http-addr HOST:PORT]   (or: calworker work --http-addr HOST:PORT --console)",
        details: """
            Server-rendered pages that read without script: the overview (workers, queues with pause
            and resume, the last hour's throughput and failures, accounts needing attention), runs
            with every filter of `calworker runs` in shareable URLs and keyset pages, each job with
            its attempts, retry and cancel, bulk retry and cancel behind a dry-run count, accounts
            and their calendars (disable, enable, sync now), the schedules in CALWORKER_JOBS_DIR
            with their last and next fires, the backups under CALWORKER_BACKUP_TARGET, and the
            audit log. A small script (/static/console.js) keeps the live pages current every 5 s
            and asks before a cancel or a disable. Log in with CALWORKER_CONSOLE_TOKEN (or
            _FILE), which may act, or CALWORKER_CONSOLE_READONLY_TOKEN, which sees everything and
            changes nothing; failed logins are slowed down. Binds to 127.0.0.1:8080 unless told
            otherwise; behind HTTPS set CALWORKER_CONSOLE_SECURE_COOKIES=on. Every action is in
            `calworker audit` (origin console). SIGTERM or SIGINT stops it (exit 0).
            """,
        options: [.value("http-addr", "HOST:PORT", "where to listen (default 127.0.0.1:8080)")]
    ) { arguments, context in
        let address = arguments.value("http-addr") ?? "127.0.0.1:8080"
        let app = try makeApp(context)
        let server: HTTPServer
        do throws(HTTPServerError) {
            server = try HTTPServer(address: address, limits: ConsoleApp.serverLimits) { request in app.respond(to: request) }
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

    /// The console as this configuration describes it: its tokens (a usage error without an
    /// operator token), a small pool of its own, the account actions, the definitions in
    /// `jobs/` and the backup target's listing. `calworker console` and `work --console` share it.
    static func makeApp(_ context: CommandContext) throws -> ConsoleApp {
        let configuration = context.configuration
        let tokens: ConsoleTokens
        do throws(ConsoleError) {
            tokens = try ConsoleTokens(operatorToken: context.settings.console.operatorToken, readOnlyToken: context.settings.console.readOnlyToken)
        } catch {
            throw CLIError(.usage, error.message)
        }
        let proxies: TrustedProxies
        do throws(ConsoleError) {
            proxies = try TrustedProxies(context.settings.console.trustedProxies)
        } catch {
            throw CLIError(.unavailable, "CALWORKER_CONSOLE_TRUSTED_PROXIES: \(error.message)", hint: "e.g. 127.0.0.1,::1 for a proxy on this host")
        }
        _ = try context.connectCurrent()
        let pool = ConnectionPool(
            url: configuration.databaseURL, size: 4, preparedStatements: configuration.usesPreparedStatements,
            timeouts: context.databaseTimeouts, purpose: "the console")
        let backups = try backups(context)
        do throws(ConsoleError) {
            return try ConsoleApp(
                tokens: tokens, pool: pool, queue: context.queue, secureCookies: context.settings.console.secureCookies,
                pushConfigured: context.registryEnvironment.push != nil, schedules: schedules(context), backups: backups, proxies: proxies)
        } catch {
            throw CLIError(.unavailable, error.message)
        }
    }

    /// The definitions in the jobs folder; nil (the page says so, the log says why) when the
    /// folder cannot be read: the console still serves everything else.
    static func schedules(_ context: CommandContext) -> ConsoleSchedules? {
        let directory = context.settings.schedule.jobsDirectory
        guard let zone = TimeZone(identifier: context.settings.schedule.timeZoneName) else { return nil }
        do throws(JobDefinition.Problem) {
            return ConsoleSchedules(definitions: try JobDefinition.loadAll(directory: directory), timeZone: zone)
        } catch {
            context.logger.warning(
                "the schedules page will be empty: the job definitions did not load",
                ["jobs_dir": directory, "error": error.description])
            return nil
        }
    }

    /// The backup target's listing, read from the store on each visit; nil without a target.
    static func backups(_ context: CommandContext) throws -> ConsoleBackups? {
        let settings = try context.backupSettings()
        guard let target = settings.target else { return nil }
        let stores = MediaStores(settings: settings.media, metrics: context.metrics)
        let prefix = try BackupCatalog.prefix(target)
        return ConsoleBackups(target: prefix.description) {
            try BackupCatalog(stores: stores, target: target).entries().map { entry in
                ConsoleBackups.Entry(
                    id: entry.id, createdAt: entry.createdAt,
                    status: entry.manifest.map { $0.verification?.status.rawValue ?? "unverified" } ?? "incomplete",
                    bytes: entry.manifest?.ciphertextBytes, verifiedAt: entry.manifest?.verification?.at,
                    error: entry.manifest?.verification?.error)
            }
        }
    }
}
