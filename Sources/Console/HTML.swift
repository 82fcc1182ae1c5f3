import Basics

/// Markup that is safe by construction: a `String` interpolated into it is escaped, so a job's
/// args, an error or an account's e-mail can never become markup; only literals written in
/// this source, other `HTML` values and `ConsoleLink`s go in as they are.
///
/// `"<td>\(job.kind)</td>" as HTML` escapes the kind; `HTML(stringLiteral:)` is for literals
/// in our own source only, never for text from outside.
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var markup: String

    public init(stringLiteral literal: String) { markup = literal }

    public init(stringInterpolation: StringInterpolation) { markup = stringInterpolation.markup }

    public var description: String { markup }

    /// Many pieces in a row.
    public init(joining parts: [HTML]) { markup = parts.map(\.markup).joined() }

    public struct StringInterpolation: StringInterpolationProtocol {
        var markup = ""

        public init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity + 16 * interpolationCount) }

        public mutating func appendLiteral(_ literal: String) { markup += literal }

        /// Text: escaped, whether it lands between tags or inside a quoted attribute.
        public mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }

        public mutating func appendInterpolation(_ text: String?) { markup += HTML.escape(text ?? "") }

        public mutating func appendInterpolation<Number: BinaryInteger>(_ number: Number) { markup += String(number) }

        public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }

        public mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { markup += part.markup } }

        /// A link of our own: a relative path with its query percent-encoded, so no value in it
        /// can make it another scheme (`javascript:`) or leave the attribute.
        public mutating func appendInterpolation(_ link: ConsoleLink) { markup += HTML.escape(link.href) }
    }

    /// `&`, `<`, `>`, `"` and `'` as character references: enough between tags and inside a
    /// quoted attribute, which are the only places this console puts text. Control and
    /// direction characters (`TerminalText`) are written as visible escapes.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\u{0}": escaped += "\u{FFFD}"
            // Direction overrides would reorder what the page shows around them, and other
            // controls do not show at all: both appear as visible escapes, as in the CLI.
            case _ where TerminalText.acts(character): escaped += TerminalText.escaped(String(character))
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
