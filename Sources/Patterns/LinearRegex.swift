public import Basics

/// A regular expression that finds a match in time linear in the length of the text, whatever
/// the pattern: an owner's title filter must not let whoever writes an event's title (anyone
/// who can invite the owner) stall a sync. `(a+)+$` against three hundred `a`s and a `!` ran
/// for minutes in a backtracking engine; here it takes microseconds.
///
/// The engine simulates every possible path through the pattern at once (a Pike VM over a
/// Thompson NFA, as RE2 and Go's regexp do), so each character of the text is looked at once
/// per instruction of the compiled pattern, never more. The syntax is RE2's, without what
/// needs backtracking: no backreferences, no lookahead or lookbehind (refused with a reason).
/// Matching is case-insensitive and looks anywhere in the text, as a title filter wants.
///
/// Work per match is bounded twice: the compiled pattern holds at most `maximumProgram`
/// instructions (counted repetitions are written out), and only the first `maximumText`
/// characters of a text are looked at.
public struct LinearRegex: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    let program: RegexProgram

    /// The longest compiled pattern: `x{100}{100}` would be ten thousand instructions.
    public static let maximumProgram = 2000
    /// Characters of a text looked at (a title longer than this is matched on its beginning).
    public static let maximumText = 1024

    /// Compiles `pattern`, or says what in it cannot be used.
    public init(_ pattern: String) throws(RegexError) {
        self.pattern = pattern
        var parser = RegexParser(pattern)
        let tree = try parser.parse()
        program = try RegexCompiler.compile(tree, limit: Self.maximumProgram)
    }

    /// Whether the pattern matches anywhere in `text` (case-insensitively).
    public func matches(_ text: String) -> Bool {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(min(text.unicodeScalars.count, Self.maximumText))
        for scalar in text.unicodeScalars {
            if scalars.count == Self.maximumText { break }
            scalars.append(scalar)
        }
        return RegexMachine(program: program).search(scalars)
    }

    public var description: String { "/\(pattern)/i" }

    public static func == (lhs: LinearRegex, rhs: LinearRegex) -> Bool { lhs.pattern == rhs.pattern }
}

/// Why a pattern cannot be used, with where in it (a character offset) when that helps.
public struct RegexError: Error, Sendable, Equatable {
    public let message: String
    /// The character offset in the pattern where the problem was found.
    public let offset: Int?

    public init(_ message: String, at offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }
}

extension RegexError: CalworkerError {
    public var errorCode: String { "invalid_pattern" }
    public var isRetryable: Bool { false }
    public var description: String { offset.map { "\(message) (at character \($0 + 1))" } ?? message }
}
