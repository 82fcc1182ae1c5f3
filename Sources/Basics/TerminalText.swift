/// Text that came from outside, made safe to show on a terminal or in a log: characters that
/// act instead of showing are written as visible escapes. That covers control characters
/// (terminal escape sequences can rewrite what an operator sees, or a terminal's title and
/// clipboard) and Unicode's direction controls (a U+202E in a user name reversed the rest of an
/// audit line, so what an operator read was not what was stored).
public enum TerminalText {
    /// How an escape is written: `\u{202E}` in plain text, `\u202e` inside JSON strings (valid
    /// JSON, so a script reads the character back).
    public enum Style: Sendable {
        case plain
        case json
    }

    /// Whether `scalar` acts on the text rather than showing: C0 controls (but newline and tab,
    /// when `keepingLineBreaks`), DEL, C1 controls, the bidirectional marks, embeddings,
    /// overrides and isolates, and the line and paragraph separators.
    public static func acts(_ scalar: Unicode.Scalar, keepingLineBreaks: Bool = true) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: !keepingLineBreaks
        case 0x00..<0x20, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: true
        default: false
        }
    }

    /// `text` with every character that `acts` written as a visible escape.
    public static func escaped(_ text: String, keepingLineBreaks: Bool = true, style: Style = .plain) -> String {
        guard text.unicodeScalars.contains(where: { acts($0, keepingLineBreaks: keepingLineBreaks) }) else { return text }
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard acts(scalar, keepingLineBreaks: keepingLineBreaks) else {
                output.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16, uppercase: style == .plain)
            let escape =
                switch style {
                case .plain: "\\u{\(hex)}"
                case .json: "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                }
            output.append(contentsOf: escape.unicodeScalars)
        }
        return String(output)
    }
}
