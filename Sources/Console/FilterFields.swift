import Configuration
import Foundation
import JobQueue

/// The filter fields the runs page and the bulk page share, read from a query or form with
/// the CLI's rules: a subject or an account (not both), `KEY=VALUE` args, a `since` duration.
struct FilterFields {
    var subject: String?
    var argsContaining: String?
    var since: Date?

    init(_ form: ConsoleForm, now: Date) throws(ConsoleError) {
        if form["subject"] != nil && form["account"] != nil { throw ConsoleError("give a subject or an account, not both") }
        if let subject = form["subject"] {
            guard subject.utf8.count <= 512 else { throw ConsoleError("a subject is at most 512 bytes") }
            self.subject = subject
        }
        if let account = form["account"] {
            guard let id = Int64(account), id > 0 else { throw ConsoleError("account is an account's id (a number)") }
            subject = "account:\(id)"
        }
        if let arg = form["arg"] {
            guard let json = ArgsMatch.json(fromKeyValue: arg) else { throw ConsoleError("arg is KEY=VALUE, e.g. account_id=12") }
            argsContaining = json
        }
        if let text = form["since"] {
            guard let window = try? DurationText.parse(text, in: .seconds(1)...DurationText.maximum) else {
                throw ConsoleError("since is a duration such as 1h or 7d")
            }
            since = now.addingTimeInterval(-Double(window.components.seconds))
        }
    }
}
