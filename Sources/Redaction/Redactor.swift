import Foundation

/// Cleans text that came from outside (a server's error body, a library's message) before it
/// is stored, logged or printed: registered secrets (`KnownSecrets`) come out, and so does
/// anything shaped like a credential whose value this process never saw (`Bearer …`,
/// `"refresh_token": "…"`, `client_secret=…`, `password=…`).
public enum Redactor {
    /// What a secret is replaced by.
    public static let mark = "[redacted]"

    /// `text` without secrets.
    public static func clean(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        var cleaned = KnownSecrets.redact(text)
        for pattern in Patterns.all {
            cleaned = pattern.replace(in: cleaned)
        }
        return cleaned
    }

    /// `text` without secrets, cut to `limit` characters (an upstream's whole error page is
    /// not an error message). Redacted first, so a cut never leaves half a secret.
    public static func clean(_ text: String, limit: Int) -> String {
        let cleaned = clean(text)
        return cleaned.count <= limit ? cleaned : String(cleaned.prefix(limit)) + "…"
    }
}

/// The credential shapes `Redactor` recognises without knowing the value.
/// (NSRegularExpression is immutable, and Foundation marks it Sendable.)
struct Patterns: Sendable {
    let expression: NSRegularExpression
    let template: String

    func replace(in text: String) -> String {
        let range = NSRange(text.startIndex..., in: text)
        guard expression.firstMatch(in: text, range: range) != nil else { return text }
        return expression.stringByReplacingMatches(in: text, range: range, withTemplate: template)
    }

    /// Credential keys as they appear in JSON, forms, query strings and headers.
    static let keys = "refresh_token|access_token|id_token|client_secret|client_assertion|password|passwd|api_key|apikey|secret_access_key|x-amz-security-token|private_key"

    static let all: [Patterns] = [
        // Authorization: Bearer abc / Basic abc, in headers, logs and echoed requests.
        Patterns(#"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}"#, "$1 \(Redactor.mark)"),
        // "refresh_token": "abc" and 'password': 'abc' (JSON and its relatives).
        Patterns(#"(?i)(["']?\b(?:\#(keys))["']?\s*:\s*)(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"#, "$1\"\(Redactor.mark)\""),
        // refresh_token=abc&…, password = abc, client_secret: abc (forms, query strings, key=value, headers).
        Patterns(#"(?i)(\b(?:\#(keys))\s*[=:]\s*)(?!["\[])[^\s&,;"'}<]+"#, "$1\(Redactor.mark)"),
        // scheme://user:password@host
        Patterns(#"(?i)([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@"#, "$1\(Redactor.mark)@"),
    ]

    init(_ pattern: String, _ template: String) {
        // The patterns are constants of this file; a typo in one is a programming error.
        self.expression = try! NSRegularExpression(pattern: pattern)
        self.template = template
    }
}
