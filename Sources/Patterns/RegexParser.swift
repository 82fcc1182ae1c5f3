/// Reads RE2's syntax, less what needs backtracking, into a `RegexNode`.
///
///     alternation := concatenation ('|' concatenation)*
///     concatenation := (atom quantifier?)*
///     quantifier := ('*' | '+' | '?' | '{n}' | '{n,}' | '{n,m}') '?'?
///     atom := '(' group ')' | '[' set ']' | '.' | '^' | '$' | '\' escape | character
///
/// Groups: `(...)`, `(?:...)`, `(?P<name>...)`, `(?<name>...)`; the flag `(?i)` (matching is
/// case-insensitive anyway). Refused with a reason: lookaround, backreferences, possessive
/// quantifiers, other flags, `\p{...}`, counts above `maximumCount`.
struct RegexParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var depth = 0

    /// The largest count in `{n,m}`, as RE2 allows.
    static let maximumCount = 1000
    /// The deepest nesting of groups.
    static let maximumDepth = 100

    init(_ pattern: String) { scalars = Array(pattern.unicodeScalars) }

    mutating func parse() throws(RegexError) -> RegexNode {
        guard !scalars.isEmpty else { throw RegexError("an empty pattern matches every title; leave the filter off instead") }
        let node = try alternation()
        if position < scalars.count {
            // Only a ')' without its '(' stops an alternation early.
            throw RegexError("')' without a '(' before it", at: position)
        }
        return node
    }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private mutating func alternation() throws(RegexError) -> RegexNode {
        var branches = [try concatenation()]
        while current == "|" {
            position += 1
            branches.append(try concatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func concatenation() throws(RegexError) -> RegexNode {
        var items: [RegexNode] = []
        while let scalar = current, scalar != "|", scalar != ")" {
            guard let atom = try atom() else { continue }
            items.append(try quantified(atom))
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    /// One atom, or nil for something that matches nothing and takes no quantifier (`(?i)`).
    private mutating func atom() throws(RegexError) -> RegexNode? {
        let start = position
        let scalar = scalars[position]
        position += 1
        switch scalar {
        case "(": return try group(start: start)
        case "[": return .set(try bracket(start: start))
        case ".": return .anyButNewline
        case "^": return .assertion(.textStart)
        case "$": return .assertion(.textEnd)
        case "\\": return try escape(start: start)
        case "*", "+", "?":
            throw RegexError("'\(scalar)' repeats nothing: put something before it, or write \\\(scalar) for the character", at: start)
        case "{" where countSyntax(at: position - 1) != nil:
            throw RegexError("a count repeats nothing: put something before it, or write \\{ for the character", at: start)
        default: return .literal(scalar)
        }
    }

    private mutating func group(start: Int) throws(RegexError) -> RegexNode? {
        if current == "?" {
            position += 1
            switch current {
            case ":":
                position += 1
            case "P" where peek(1) == "<", "<" where peek(1) != "=" && peek(1) != "!":
                position += current == "P" ? 2 : 1
                try skipGroupName(start: start)
            case "=", "!":
                throw RegexError("lookahead (?\(current!)...) is not supported: it needs a backtracking engine", at: start)
            case "<":
                throw RegexError("lookbehind (?<\(peek(1)!)...) is not supported: it needs a backtracking engine", at: start)
            case "i":
                if peek(1) == ")" {
                    position += 2
                    return nil  // Matching is case-insensitive anyway.
                }
                if peek(1) == ":" {
                    position += 2
                    break
                }
                throw RegexError("only the flag (?i) is supported", at: start)
            case let flag? where flag.properties.isAlphabetic || flag == "-":
                throw RegexError("only the flag (?i) is supported, not (?\(flag)...)", at: start)
            default:
                throw RegexError("unknown group syntax (?\(current.map { String($0) } ?? "")...); use (...) or (?:...)", at: start)
            }
        }
        depth += 1
        guard depth <= Self.maximumDepth else { throw RegexError("groups nested deeper than \(Self.maximumDepth)", at: start) }
        let inner = try alternation()
        depth -= 1
        guard current == ")" else { throw RegexError("'(' without its ')'", at: start) }
        position += 1
        return inner
    }

    private mutating func skipGroupName(start: Int) throws(RegexError) {
        let nameStart = position
        while let scalar = current, scalar != ">" {
            guard scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) else {
                throw RegexError("a group name is letters, digits and '_'", at: position)
            }
            position += 1
        }
        guard current == ">", position > nameStart else { throw RegexError("a named group needs a name and '>'", at: start) }
        position += 1
    }

    private mutating func quantified(_ atom: RegexNode) throws(RegexError) -> RegexNode {
        var node = atom
        var quantifiers = 0
        while let scalar = current {
            let start = position
            let bounds: (min: Int, max: Int?)
            switch scalar {
            case "*":
                bounds = (0, nil)
                position += 1
            case "+":
                bounds = (1, nil)
                position += 1
            case "?":
                bounds = (0, 1)
                position += 1
            case "{":
                guard let count = countSyntax(at: position) else { return node }
                bounds = try count.bounds(start: start)
                position = count.end
            default:
                return node
            }
            quantifiers += 1
            guard quantifiers == 1 else {
                throw RegexError("two repetitions in a row ('\(scalar)' after another): group the first, as in (a*)*", at: start)
            }
            if case .assertion = node { throw RegexError("'\(scalar)' cannot repeat an anchor", at: start) }
            if current == "?" {
                position += 1  // Lazy: the same set of matches, so the same answer here.
            } else if current == "+" {
                throw RegexError("possessive repetition ('\(scalar)+') is not supported", at: position)
            }
            node = .repetition(node, min: bounds.min, max: bounds.max)
        }
        return node
    }

    /// `{n}`, `{n,}` or `{n,m}` at `index`, or nil when the brace is a plain character there.
    private func countSyntax(at index: Int) -> CountSyntax? {
        guard index < scalars.count, scalars[index] == "{" else { return nil }
        var cursor = index + 1
        func digits() -> String? {
            var text = ""
            while cursor < scalars.count, ("0"..."9").contains(scalars[cursor]) {
                text.unicodeScalars.append(scalars[cursor])
                cursor += 1
            }
            return text.isEmpty ? nil : text
        }
        guard let low = digits() else { return nil }
        var high: String?? = .some(low)
        if cursor < scalars.count, scalars[cursor] == "," {
            cursor += 1
            high = .some(digits())
        }
        guard cursor < scalars.count, scalars[cursor] == "}" else { return nil }
        return CountSyntax(low: low, high: high ?? nil, end: cursor + 1)
    }

    private struct CountSyntax {
        let low: String
        /// nil: `{n,}`.
        let high: String?
        let end: Int

        func bounds(start: Int) throws(RegexError) -> (min: Int, max: Int?) {
            guard low.count <= 4, let min = Int(low), min <= RegexParser.maximumCount else {
                throw RegexError("a count is at most \(RegexParser.maximumCount)", at: start)
            }
            guard let high else { return (min, nil) }
            guard high.count <= 4, let max = Int(high), max <= RegexParser.maximumCount else {
                throw RegexError("a count is at most \(RegexParser.maximumCount)", at: start)
            }
            guard min <= max else { throw RegexError("{\(min),\(max)}: the least count is larger than the most", at: start) }
            return (min, max)
        }
    }

    private mutating func escape(start: Int) throws(RegexError) -> RegexNode {
        guard let scalar = current else { throw RegexError("'\\' at the end of the pattern; write \\\\ for a backslash", at: start) }
        position += 1
        switch scalar {
        case "A": return .assertion(.textStart)
        case "z": return .assertion(.textEnd)
        case "b": return .assertion(.wordBoundary)
        case "B": return .assertion(.notWordBoundary)
        default:
            if let set = try classEscape(scalar, start: start) { return .set(set) }
            return .literal(try literalEscape(scalar, start: start))
        }
    }

    /// `\d \D \w \W \s \S` as a set; nil for other escapes.
    private func classEscape(_ scalar: Unicode.Scalar, start: Int) throws(RegexError) -> ScalarSet? {
        let named: ScalarSet.Named
        switch scalar {
        case "d", "D": named = .digit
        case "w", "W": named = .word
        case "s", "S": named = .space
        case "p", "P": throw RegexError("Unicode classes (\\\(scalar){...}) are not supported; use a bracket expression", at: start)
        default: return nil
        }
        var set = ScalarSet()
        set.named = [(named, negated: scalar.properties.isUppercase)]
        return set
    }

    /// The character an escape stands for: a control escape, `\xHH`, `\x{H...}`, or a
    /// punctuation character taken literally.
    private mutating func literalEscape(_ scalar: Unicode.Scalar, start: Int) throws(RegexError) -> Unicode.Scalar {
        switch scalar {
        case "t": return "\t"
        case "n": return "\n"
        case "r": return "\r"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        case "a": return "\u{07}"
        case "0": return "\0"
        case "x": return try hexEscape(start: start)
        case "1"..."9":
            throw RegexError("backreferences (\\\(scalar)) are not supported: they need a backtracking engine", at: start)
        default:
            guard !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else {
                throw RegexError("unknown escape \\\(scalar)", at: start)
            }
            return scalar
        }
    }

    private mutating func hexEscape(start: Int) throws(RegexError) -> Unicode.Scalar {
        var digits = ""
        if current == "{" {
            position += 1
            while let scalar = current, scalar != "}" {
                digits.unicodeScalars.append(scalar)
                position += 1
            }
            guard current == "}" else { throw RegexError("\\x{ without its '}'", at: start) }
            position += 1
        } else {
            for _ in 0..<2 {
                guard let scalar = current else { break }
                digits.unicodeScalars.append(scalar)
                position += 1
            }
        }
        guard (1...6).contains(digits.count), let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else {
            throw RegexError("\\x needs hexadecimal digits of a Unicode character", at: start)
        }
        return scalar
    }

    /// After `[`: ranges, single characters and class escapes up to `]`.
    private mutating func bracket(start: Int) throws(RegexError) -> ScalarSet {
        var set = ScalarSet()
        if current == "^" {
            set.negated = true
            position += 1
        }
        var first = true
        while true {
            guard let scalar = current else { throw RegexError("'[' without its ']'", at: start) }
            if scalar == "]" && !first { break }
            first = false
            if scalar == "[" && peek(1) == ":" {
                throw RegexError("POSIX classes ([:alpha:]) are not supported; use \\d, \\w, \\s or ranges", at: position)
            }
            let low: Unicode.Scalar
            position += 1
            if scalar == "\\" {
                guard let escaped = current else { throw RegexError("'[' without its ']'", at: start) }
                position += 1
                if let named = try classEscape(escaped, start: position - 2) {
                    set.named += named.named
                    continue
                }
                if escaped == "b" {
                    low = "\u{08}"
                } else {
                    low = try literalEscape(escaped, start: position - 2)
                }
            } else {
                low = scalar
            }
            var high = low
            if current == "-", let next = peek(1), next != "]" {
                position += 1
                let rangeStart = position
                position += 1
                if next == "\\" {
                    guard let escaped = current else { throw RegexError("'[' without its ']'", at: start) }
                    position += 1
                    high = try literalEscape(escaped, start: rangeStart)
                } else {
                    high = next
                }
                guard low.value <= high.value else {
                    throw RegexError("the range \(Character(low))-\(Character(high)) runs backwards", at: rangeStart)
                }
            }
            set.ranges.append(low.value...high.value)
        }
        position += 1
        return set
    }
}
