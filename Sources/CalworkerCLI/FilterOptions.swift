import Configuration
import Foundation
import JobQueue

/// The filters `runs`, `retry` and `cancel` share, parsed once: a subject (or an account), and
/// `--arg KEY=VALUE` as the JSON object the args must contain.
enum FilterOptions {
    static let options: [OptionSpec] = [
        .value("kind", "K", "only this job kind"),
        .value("queue", "Q", "only this queue"),
        .value("subject", "S", "only jobs about this, e.g. account:12"),
        .value("account", "N", "only jobs about this account (--subject account:N)"),
        .value("arg", "KEY=VALUE", "only jobs whose args have KEY equal to VALUE (numbers and true/false as such)"),
    ]

    static func subject(_ arguments: ParsedArguments) throws(CLIError) -> String? {
        if arguments.value("subject") != nil && arguments.value("account") != nil {
            throw CLIError(.usage, "give --subject or --account, not both")
        }
        if let subject = arguments.value("subject") {
            guard !subject.isEmpty, subject.utf8.count <= 512 else { throw CLIError(.usage, "--subject must be 1-512 bytes") }
            return subject
        }
        if let text = arguments.value("account") {
            guard let id = Int64(text), id > 0 else { throw CLIError(.usage, "--account must be an account's id, got '\(text)'") }
            return "account:\(id)"
        }
        return nil
    }

    /// `KEY=VALUE` as `{"KEY": VALUE}`: a whole number or true/false typed, anything else text.
    static func argsContaining(_ arguments: ParsedArguments) throws(CLIError) -> String? {
        guard let text = arguments.value("arg") else { return nil }
        guard let json = ArgsMatch.json(fromKeyValue: text) else {
            throw CLIError(.usage, "--arg must be KEY=VALUE, e.g. --arg account_id=12, got '\(text)'")
        }
        return json
    }

    /// The jobs a bulk `retry` or `cancel` acts on; at least one filter, so nobody acts on
    /// every job by leaving the id out.
    static func jobFilter(_ arguments: ParsedArguments, action: String) throws(CLIError) -> JobFilter {
        var filter = JobFilter()
        filter.kind = arguments.value("kind")
        filter.queue = arguments.value("queue")
        if let text = arguments.value("state") {
            guard let state = JobState(rawValue: text) else {
                throw CLIError(.usage, "--state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            filter.state = state
        }
        filter.subject = try subject(arguments)
        filter.argsContaining = try argsContaining(arguments)
        if let window = try arguments.duration("since", in: .seconds(1)...DurationText.maximum) {
            filter.since = Date().addingTimeInterval(-Double(window.components.seconds))
        }
        guard !filter.isEmpty else {
            throw CLIError(
                .usage, "\(action) needs a JOB_ID or at least one filter (--kind, --queue, --state, --subject, --account, --arg, --since)",
                hint: "see what would be touched first with --dry-run")
        }
        return filter
    }
}
