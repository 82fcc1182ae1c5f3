import Foundation

/// Keeps a connection string's password out of libpq's messages. libpq quotes the text it
/// could not parse ("invalid percent-encoded token: ..."), and that text can be the password,
/// whole or in part; such messages reach logs and terminals.
enum ConninfoSecrets {
    /// `message` with every run of three or more characters that also occurs in one of the
    /// connection string's passwords replaced by `****`.
    static func redact(_ message: String, conninfo: String) -> String {
        let secrets = passwords(in: conninfo).filter { $0.count >= 3 }
        guard !secrets.isEmpty else { return message }
        var characters = Array(message)
        for secret in secrets {
            characters = mask(characters, fragmentsOf: Array(secret))
        }
        return String(characters)
    }

    /// What a connection string may carry as a password, however malformed: the `user:PASS@`
    /// of a URI, a `password=` pair or query parameter, raw and percent-decoded.
    static func passwords(in conninfo: String) -> [String] {
        var found: [String] = []
        if let scheme = conninfo.range(of: "://") {
            let rest = conninfo[scheme.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                found.append(String(authority[authority.index(after: colon)..<at]))
            }
        }
        var search = conninfo.startIndex
        while let key = conninfo.range(of: "password", options: .caseInsensitive, range: search..<conninfo.endIndex) {
            search = key.upperBound
            var index = key.upperBound
            while index < conninfo.endIndex, conninfo[index] == " " { index = conninfo.index(after: index) }
            guard index < conninfo.endIndex, conninfo[index] == "=" else { continue }
            index = conninfo.index(after: index)
            while index < conninfo.endIndex, conninfo[index] == " " { index = conninfo.index(after: index) }
            let quoted = index < conninfo.endIndex && conninfo[index] == "'"
            if quoted { index = conninfo.index(after: index) }
            let value = conninfo[index...].prefix { quoted ? $0 != "'" : !($0 == " " || $0 == "&") }
            found.append(String(value))
        }
        return found + found.compactMap { $0.removingPercentEncoding }.filter { !found.contains($0) }
    }

    private static func mask(_ text: [Character], fragmentsOf secret: [Character]) -> [Character] {
        var output: [Character] = []
        var index = 0
        while index < text.count {
            let length = longestMatch(in: text, at: index, within: secret)
            if length >= 3 {
                output.append(contentsOf: "****")
                index += length
            } else {
                output.append(text[index])
                index += 1
            }
        }
        return output
    }

    /// The longest run starting at `text[start]` that occurs somewhere in `secret`.
    private static func longestMatch(in text: [Character], at start: Int, within secret: [Character]) -> Int {
        var best = 0
        for origin in secret.indices {
            var length = 0
            while start + length < text.count, origin + length < secret.count, text[start + length] == secret[origin + length] {
                length += 1
            }
            best = max(best, length)
        }
        return best
    }
}

extension PostgresConninfo {
    /// The passwords a connection string carries, however malformed it is (for registering
    /// them as secrets before anything can print them).
    public static func passwords(inRawText conninfo: String) -> [String] { ConninfoSecrets.passwords(in: conninfo) }
}
