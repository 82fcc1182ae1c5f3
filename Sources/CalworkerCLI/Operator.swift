import Foundation
import JobQueue
import Postgres

/// Who runs a command, for the audit log: `user@host` (`$USER`, else the uid), as an operator
/// reading `calworker audit` wants to see it.
enum Operator {
    static var current: String {
        let environment = ProcessInfo.processInfo.environment
        let user =
            environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["LOGNAME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "uid \(getuid())"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    /// Records an action taken from the command line.
    static func audit(_ action: String, _ target: [String: String], count: Int?, on db: PostgresConnection) throws {
        try AuditLog().record(actor: current, origin: "cli", action: action, target: target, count: count, on: db)
    }
}
