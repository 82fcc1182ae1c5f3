import Foundation

/// One `calworker` command: its name, help text, options, and what it does.
struct Command: Sendable {
    let name: String
    let summary: String
    let usage: String
    /// Extra help text after the options (examples, notes).
    var details: String = ""
    let options: [OptionSpec]
    let run: @Sendable (ParsedArguments, CommandContext) throws -> ExitCode

    /// Options every command accepts.
    static let common: [OptionSpec] = [
        .flag("help", "show this help"),
        .flag("json", "print JSON instead of a table (for scripts)"),
        .value("log-format", "json|text", "log format on stderr (default: CALWORKER_LOG_FORMAT or json)"),
        .value("log-level", "LEVEL", "debug, info, notice, warning or error (default: info)"),
    ]

    var allOptions: [OptionSpec] { options + Self.common }

    func help() -> String {
        var text = "\(summary)\n\nUsage: calworker \(usage)\n\nOptions:\n"
        let labels = allOptions.map { option in "--\(option.name)" + (option.valueName.map { " \($0)" } ?? "") }
        let width = (labels.map(\.count).max() ?? 0) + 2
        for (label, option) in zip(labels, allOptions) {
            text += "  " + label.padding(toLength: width, withPad: " ", startingAt: 0) + option.help + "\n"
        }
        if !details.isEmpty { text += "\n" + details + "\n" }
        return text
    }
}
