import Basics
import Configuration
import Foundation
import JobQueue
import Postgres
import Worker

enum HealthcheckCommand {
    struct Check: Encodable {
        var name: String
        var ok: Bool
        var detail: String
    }

    static let command = Command(
        name: "healthcheck",
        summary: "Exit 0 if the database is reachable and the schema current (and this host's worker is alive)",
        usage: "healthcheck [--worker] [--worker-id ID] [--max-age D]",
        details: """
            For Docker's HEALTHCHECK and systemd: exit 0 when healthy, 1 when not (Docker reads any
            other code as reserved), with one line per check saying what failed.
            --worker also requires a worker registered from this host (its hostname; in a container,
            the container's) with a heartbeat younger than --max-age (default: the lease,
            CALWORKER_LEASE, which a live worker renews three times over).
            """,
        options: [
            .flag("worker", "also require a live worker on this host"),
            .value("worker-id", "ID", "require this worker (implies --worker)"),
            .value("max-age", "D", "oldest acceptable heartbeat (default: the lease)"),
        ]
    ) { arguments, context in
        let maxAge = try arguments.duration("max-age", in: .seconds(1) ... .seconds(30 * 86_400)) ?? context.configuration.lease
        let checks = run(
            context: context, requireWorker: arguments.has("worker") || arguments.value("worker-id") != nil,
            workerID: arguments.value("worker-id"), maxAge: maxAge)
        let healthy = checks.allSatisfy(\.ok)
        context.emit(checks) {
            checks.map { "\($0.ok ? "ok  " : "FAIL") \($0.name): \($0.detail)" }.joined(separator: "\n")
        }
        return healthy ? .ok : .failure
    }

    static func run(context: CommandContext, requireWorker: Bool, workerID: String?, maxAge: Duration) -> [Check] {
        let db: PostgresConnection
        do {
            db = try PostgresConnection.connect(
                context.configuration.databaseURL,
                preparedStatements: context.configuration.usesPreparedStatements,
                timeouts: PostgresTimeouts(
                    connect: .seconds(5), statement: .seconds(10), lock: .seconds(5),
                    setOnServer: context.configuration.usesPreparedStatements))
        } catch {
            return [Check(name: "database", ok: false, detail: "unreachable: \(error.message); check CALWORKER_DATABASE_URL")]
        }
        var checks = [Check(name: "database", ok: true, detail: "reachable")]
        do {
            let status = try context.registry.schema.status(on: db)
            checks.append(Check(name: "schema", ok: status.isCurrent, detail: status.explanation))
        } catch {
            checks.append(Check(name: "schema", ok: false, detail: "cannot read the version: \(error)"))
        }
        guard requireWorker else { return checks }
        do {
            let host = ProcessInfo.processInfo.hostName
            let candidates = try WorkerRegistry.list(on: db).filter { worker in
                workerID.map { worker.id == $0 } ?? (worker.hostname == host)
            }
            let fresh = candidates.filter { $0.heartbeatAgeSeconds <= maxAge.seconds && !$0.stopping }
            let who = workerID.map { "worker \($0)" } ?? "a worker on \(host)"
            if let best = fresh.min(by: { $0.heartbeatAgeSeconds < $1.heartbeatAgeSeconds }) {
                checks.append(
                    Check(
                        name: "worker", ok: true,
                        detail: "\(best.id) heartbeat \(DurationText.format(seconds: best.heartbeatAgeSeconds)) ago"))
            } else if let stale = candidates.min(by: { $0.heartbeatAgeSeconds < $1.heartbeatAgeSeconds }) {
                let state = stale.stopping ? "is stopping" : "last heartbeat \(DurationText.format(seconds: stale.heartbeatAgeSeconds)) ago"
                checks.append(
                    Check(name: "worker", ok: false, detail: "\(who): \(stale.id) \(state) (limit \(DurationText.format(seconds: maxAge.seconds)))"))
            } else {
                checks.append(Check(name: "worker", ok: false, detail: "no registered worker found for \(who); is `calworker work` running?"))
            }
        } catch {
            checks.append(Check(name: "worker", ok: false, detail: "cannot read the workers' heartbeats: \(error)"))
        }
        return checks
    }
}
