/// A parsed pattern, before compilation.
indirect enum RegexNode: Sendable, Equatable {
    /// Matches nothing, successfully (an empty alternative, `()`).
    case empty
    case literal(Unicode.Scalar)
    /// `.`: any character but a line feed.
    case anyButNewline
    case set(ScalarSet)
    case assertion(RegexAssertion)
    case concatenation([RegexNode])
    case alternation([RegexNode])
    /// `min` to `max` (nil: unbounded) repetitions.
    case repetition(RegexNode, min: Int, max: Int?)
}

/// Zero-width tests.
enum RegexAssertion: Sendable, Equatable {
    /// `^`, `\A`: the start of the text.
    case textStart
    /// `$`, `\z`: the end of the text.
    case textEnd
    /// `\b`: between a word character and a non-word one (or an end).
    case wordBoundary
    /// `\B`
    case notWordBoundary
}

/// A bracket expression or a class escape: ranges of scalars and named classes, possibly negated.
struct ScalarSet: Sendable, Equatable {
    enum Named: Sendable, Equatable {
        /// `\d`: a decimal digit, in any script.
        case digit
        /// `\w`: a letter, a decimal digit, a mark or `_`.
        case word
        /// `\s`: white space.
        case space
    }

    var ranges: [ClosedRange<UInt32>] = []
    var named: [(Named, negated: Bool)] = []
    var negated = false

    static func == (lhs: ScalarSet, rhs: ScalarSet) -> Bool {
        lhs.ranges == rhs.ranges && lhs.negated == rhs.negated
            && lhs.named.map(\.0) == rhs.named.map(\.0) && lhs.named.map(\.negated) == rhs.named.map(\.negated)
    }

    /// Whether `scalar` is in the set, case-insensitively.
    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let found = containsExactly(scalar) || CaseFolding.variants(of: scalar).contains { containsExactly($0) }
        return found != negated
    }

    private func containsExactly(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        for range in ranges where range.contains(value) { return true }
        for (name, negated) in named where Self.isIn(name, scalar) != negated { return true }
        return false
    }

    static func isIn(_ name: Named, _ scalar: Unicode.Scalar) -> Bool {
        switch name {
        case .digit: scalar.properties.numericType == .decimal
        case .word: isWord(scalar)
        case .space: scalar.properties.isWhitespace
        }
    }

    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal
            || scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark
    }
}

/// Simple case folding of single scalars, for case-insensitive comparison.
enum CaseFolding {
    /// The scalar's lowercase form when that is one scalar; otherwise the scalar itself.
    static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first! : scalar
    }

    /// The scalar's other single-scalar cases (lower, upper, title), for sets and ranges.
    static func variants(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping, scalar.properties.titlecaseMapping]
            .compactMap { mapping in
                let scalars = mapping.unicodeScalars
                return scalars.count == 1 && scalars.first! != scalar ? scalars.first! : nil
            }
    }
}
