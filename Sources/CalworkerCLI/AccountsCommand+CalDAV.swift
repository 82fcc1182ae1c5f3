import Accounts
import CalDAV
import Foundation
import HTTPClient

extension AccountsCommand {
    /// `accounts add --provider caldav`: the URL must lead to event calendars with this user name
    /// and app password before anything is stored, so a typo is an error now, not a failing
    /// sync later.
    static func addCalDAV(_ arguments: ParsedArguments, _ context: CommandContext, _ store: AccountStore) throws {
        guard let url = arguments.value("caldav-url") else {
            throw CLIError(
                .usage, "accounts add --provider caldav needs --caldav-url",
                hint: "iCloud: https://caldav.icloud.com/, Fastmail: https://caldav.fastmail.com/, Nextcloud: https://HOST/remote.php/dav/")
        }
        guard let origin = DAVClient.origin(of: url) else { throw CLIError(.usage, "--caldav-url must be an http(s) URL, got '\(url.prefix(200))'") }
        guard let username = arguments.value("username") else { throw CLIError(.usage, "accounts add --provider caldav needs --username") }
        let password = try readSecret(arguments, option: "password-file", what: "app password")
        guard !password.isEmpty, !password.contains(where: \.isNewline) else {
            throw CLIError(.usage, "the password file is empty or holds several lines; put the app password alone in it")
        }
        guard (1...512).contains(username.utf8.count), !username.contains(where: \.isNewline) else {
            throw CLIError(.usage, "--username must be 1 to 512 bytes on one line")
        }
        let email = arguments.value("email") ?? username
        let client = DAVClient(http: HTTPClient(service: "caldav", metrics: context.metrics), origin: origin, username: username, password: password)
        let calendars: [CalDAVCollection]
        do {
            calendars = try CalDAVDiscovery(client: client).calendars(from: url)
        } catch {
            switch error.kind {
            case .authRefused:
                throw CLIError(.failure, error.message, hint: "make a new app password at the provider, put it in the file, and run this again")
            case .notCalDAV, .gone, .refused, .malformed, .redirectRefused:
                throw CLIError(
                    .failure, "no CalDAV calendars at \(url): \(error.message)",
                    hint: "give the server's CalDAV URL (iCloud: https://caldav.icloud.com/, Fastmail: https://caldav.fastmail.com/, "
                        + "Nextcloud: https://HOST/remote.php/dav/)")
            default:
                throw CLIError(.unavailable, "\(url) did not answer: \(error.message)", hint: "check the address and try again")
            }
        }
        guard !calendars.isEmpty else { throw CLIError(.failure, "\(url) holds no calendars of events for \(username)") }
        let db = try context.connectCurrent()
        let account = try store.addCalDAV(email: email, owner: arguments.value("owner"), url: url, username: username, password: password, on: db)
        let found = calendars.map { AddedCalDAV.Calendar(url: $0.url, name: $0.displayName, readOnly: $0.readOnly) }
        context.emit(AddedCalDAV(account: account, calendars: found)) {
            let names = calendars.map { ($0.displayName ?? $0.url) + ($0.readOnly ? " (read-only)" : "") }.joined(separator: ", ")
            return "added CalDAV account \(account.id) (\(account.email), owner \(account.owner)): \(calendars.count) calendars: \(names). "
                + "This release finds and stores CalDAV accounts; their syncs come with a later one (a worker discards them, saying so)."
        }
    }

    /// A secret read from a file (never from the command line, where `ps` and shell history
    /// would keep it).
    static func readSecret(_ arguments: ParsedArguments, option: String, what: String) throws(CLIError) -> String {
        guard let path = arguments.value(option) else {
            throw CLIError(.usage, "--\(option) F is required (the \(what) never goes on the command line)")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CLIError(.usage, "cannot read \(path)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct AddedCalDAV: Encodable {
        struct Calendar: Encodable {
            var url: String
            var name: String?
            var readOnly: Bool

            enum CodingKeys: String, CodingKey {
                case url, name
                case readOnly = "read_only"
            }
        }

        var account: Account
        var calendars: [Calendar]

        enum CodingKeys: String, CodingKey { case calendars }

        func encode(to encoder: any Encoder) throws {
            try account.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(calendars, forKey: .calendars)
        }
    }
}
