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
        // Shapes first, while the key names they look for are intact (a registered secret may
        // happen to be part of one), then the registered values wherever they are.
        var cleaned = text
        if Patterns.mayMatch(cleaned) {
            for pattern in Patterns.all { cleaned = pattern.replace(in: cleaned) }
        }
        return KnownSecrets.redact(cleaned)
    }

    /// `text` without secrets, cut to `limit` characters (an upstream's whole error page is
    /// not an error message). Redacted before the cut, so a cut never leaves half a secret;
    /// only the start is read (four times the limit and a kilobyte), so a megabyte of error
    /// costs what a kilobyte does.
    public static func clean(_ text: String, limit: Int) -> String {
        let head = text.count > limit * 4 + 1024 ? String(text.prefix(limit * 4 + 1024)) : text
        let cleaned = clean(head)
        return cleaned.count <= limit && head.count == text.count ? cleaned : String(cleaned.prefix(limit)) + "…"
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

    /// Words one of the patterns needs: a text with none of them is left alone without
    /// running a regular expression over it.
    static let hints = ["bearer", "basic", "token", "secret", "passw", "api_key", "apikey", "private_key", "client_assertion", "://"]

    static func mayMatch(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return hints.contains { lowered.contains($0) }
    }

    /// Credential keys as they appear in JSON, forms, query strings and headers.
    static let keys =
        "refresh_token|access_token|id_token|client_secret|client_assertion|password|passwd|api_key|apikey|secret_access_key|x-amz-security-token|private_key"

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
