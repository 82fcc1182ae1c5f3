import Foundation

extension Configuration {
    /// Entries with secrets replaced by `****` and the password taken out of the database URL.
    public var maskedEntries: [Entry] {
        entries.map { entry in
            var shown = entry
            if entry.secret && !entry.value.isEmpty { shown.value = "****" }
            if Self.conninfoNames.contains(entry.name) { shown.value = Self.maskPassword(in: entry.value) }
            return shown
        }
    }

    /// Settings holding a libpq connection string, shown with the password masked (and its
    /// password registered as a secret).
    public static let conninfoNames: Set<String> = ["CALWORKER_DATABASE_URL", "CALWORKER_BACKUP_DATABASE_URL"]

    /// Hides the password in a URI (`user:secret@host`) or key/value (`password=secret`) string.
    public static func maskPassword(in conninfo: String) -> String {
        var text = conninfo
        if let scheme = text.range(of: "://") {
            // The authority ends at the path or query; its last '@' ends the user info (a
            // password may hold '@' itself when the operator forgot to percent-encode it).
            let authority = text[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                text.replaceSubrange(text.index(after: colon)..<at, with: "****")
            }
        }
        if !text.contains("://"), let range = text.range(of: #"password\s*=\s*('([^'\\]|\\.)*'|\S+)"#, options: .regularExpression) {
            text.replaceSubrange(range, with: "password=****")
        }
        if let range = text.range(of: #"([?&])password=[^&]*"#, options: .regularExpression) {
            let separator = text[range].first!
            text.replaceSubrange(range, with: "\(separator)password=****")
        }
        return text
    }
}
