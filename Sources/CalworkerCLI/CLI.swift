import Configuration
import Foundation
import JobQueue
import Logging
import Postgres

/// The `calworker` command line, as a library: the executable only calls `CLI.main`, and
/// tests call `CLI.run` with their own arguments, environment and captured output.
public enum CLI {
    static let version = "0.1.0"

    static let commands: [Command] = [
        MigrateCommand.command, EnqueueCommand.command, WorkCommand.command, RunsCommand.command,
        QueueCommand.command, RetryCommand.command, CancelCommand.command, AuditCommand.command, WorkersCommand.command,
        StatusCommand.command, MetricsCommand.command, ReceiveCommand.command, ConsoleCommand.command, ChannelsCommand.command,
        HealthcheckCommand.command, AccountsCommand.command, CalendarsCommand.command, SyncCommand.command,
        BackupCommand.command, NotifyCommand.command, FeedsCommand.command, JobsCommand.command, ScheduleCommand.command,
        ConfigCommand.command,
    ]

    /// Runs the process's command line and exits.
    public static func main() -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if !SignalExit.commandHandlesSignals(arguments) { SignalExit.install() }
        let code = run(
            arguments, environment: ProcessInfo.processInfo.environment,
            output: .standard())
        exit(code.rawValue)
    }

    public static func run(_ arguments: [String], environment: [String: String], output: Output) -> ExitCode {
        guard let name = arguments.first, !name.hasPrefix("-") || name == "--help" || name == "-h" || name == "--version" else {
            output.err(overview())
            return .usage
        }
        if name == "--help" || name == "-h" || name == "help" {
            output.out(overview())
            return .ok
        }
        if name == "--version" || name == "version" {
            output.out("calworker \(version)")
            return .ok
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            output.err("error: unknown command '\(name)'\n\n" + overview())
            return .usage
        }
        do {
            let parsed = try ParsedArguments.parse(Array(arguments.dropFirst()), options: command.allOptions)
            if parsed.has("help") {
                output.out(command.help())
                return .ok
            }
            var env = environment
            if let format = parsed.value("log-format") { env["CALWORKER_LOG_FORMAT"] = format }
            if let level = parsed.value("log-level") { env["CALWORKER_LOG_LEVEL"] = level }
            let settings: Settings
            do {
                settings = try Settings.load(env)
            } catch {
                throw CLIError(.unavailable, "configuration: \(error)", hint: "fix the variable named above; `calworker config --help` lists them")
            }
            let handler: any LogHandler = settings.core.logFormat == "text" ? TextLogHandler() : JSONLinesLogHandler()
            let level = LogLevel(name: settings.core.logLevel) ?? .info
            let logger = Logger(level: level, handler: handler, threshold: LogThreshold(level))
            let context = CommandContext(
                settings: settings, output: output, logger: logger, json: parsed.has("json"),
                logLevelFixed: parsed.value("log-level") != nil)
            return try command.run(parsed, context)
        } catch let error as CLIError {
            output.err("error: \(error.message)")
            if let hint = error.hint { output.err("hint: \(hint)") }
            if error.code == .usage { output.err("(see: calworker \(command.name) --help)") }
            return error.code
        } catch let error as JobQueueError {
            output.err("error: \(error.message)")
            switch error.code {
            case .notFound: return .notFound
            case .invalidJob: return .usage
            case .wrongState: return .failure
            }
        } catch let error as PostgresError where error.isDataException {
            output.err("error: a value given cannot be used: \(error.message)")
            output.err("hint: check the options' values (ids, times, cursors); see calworker \(command.name) --help")
            return .usage
        } catch let error as PostgresError where error.isConnectionProblem {
            output.err("error: lost the connection to PostgreSQL: \(error)")
            output.err("hint: check the server and CALWORKER_DATABASE_URL, then run the command again")
            return .unavailable
        } catch {
            output.err("error: \(error)")
            return .failure
        }
    }

    static func overview() -> String {
        var text = """
            calworker \(version): runs a calendar platform's background jobs from a PostgreSQL queue.

            Usage: calworker COMMAND [OPTIONS]

            Commands:

            """
        let width = (commands.map(\.name.count).max() ?? 0) + 2
        for command in commands {
            text += "  " + command.name.padding(toLength: width, withPad: " ", startingAt: 0) + command.summary + "\n"
        }
        text += """

            Every command takes --help, and --json for output a script can parse.
            Configuration comes from CALWORKER_* environment variables (see `calworker config`).

            Exit codes:

            """
        for code in ExitCode.allCases { text += "  \(code.rawValue)  \(code.meaning)\n" }
        text += "  128+N  stopped by signal N (143 SIGTERM, 130 SIGINT)\n"
        return text
    }
}
