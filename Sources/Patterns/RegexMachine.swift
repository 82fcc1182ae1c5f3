/// Runs a `RegexProgram` over a text as a Pike VM: every thread (a position in the program)
/// advances over each character in lockstep, and a program position is held by at most one
/// thread per character. Work is at most (characters + 1) × instructions, whatever the pattern.
struct RegexMachine {
    let program: RegexProgram

    /// Whether the program matches anywhere in `text`.
    func search(_ text: [Unicode.Scalar]) -> Bool { run(text).matched }

    /// The search, and how many threads it ran (each a program position at a character): at
    /// most (characters + 1) × instructions, which the tests check.
    func run(_ text: [Unicode.Scalar]) -> (matched: Bool, threads: Int) {
        var threads = 0
        let size = program.instructions.count
        var current = ThreadList(capacity: size)
        var next = ThreadList(capacity: size)
        var stack: [Int] = []
        stack.reserveCapacity(size)
        for index in 0...text.count {
            // A new thread starts at every position: the match may begin anywhere.
            if follow(0, at: index, in: text, into: &current, stack: &stack) { return (true, threads + current.count) }
            threads += current.count
            guard index < text.count else { break }
            let scalar = text[index]
            let folded = CaseFolding.fold(scalar)
            next.clear()
            for pc in current.members {
                let advances: Bool
                switch program.instructions[pc] {
                case .character(let wanted): advances = folded == wanted
                case .anyButNewline: advances = scalar != "\n"
                case .set(let set): advances = program.sets[set].contains(scalar)
                default: advances = false
                }
                if advances, follow(pc + 1, at: index + 1, in: text, into: &next, stack: &stack) { return (true, threads + next.count) }
            }
            swap(&current, &next)
        }
        return (false, threads)
    }

    /// Adds the threads reachable from `start` without consuming a character (splits, jumps,
    /// assertions that hold at `index`). True when one of them is the match.
    private func follow(_ start: Int, at index: Int, in text: [Unicode.Scalar], into list: inout ThreadList, stack: inout [Int]) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(start)
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            switch program.instructions[pc] {
            case .match:
                return true
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assert(let assertion):
                if Self.holds(assertion, at: index, in: text) { stack.append(pc + 1) }
            case .character, .anyButNewline, .set:
                break
            }
        }
        return false
    }

    static func holds(_ assertion: RegexAssertion, at index: Int, in text: [Unicode.Scalar]) -> Bool {
        switch assertion {
        case .textStart: return index == 0
        case .textEnd: return index == text.count
        case .wordBoundary, .notWordBoundary:
            let before = index > 0 && ScalarSet.isWord(text[index - 1])
            let after = index < text.count && ScalarSet.isWord(text[index])
            return (before != after) == (assertion == .wordBoundary)
        }
    }
}

/// A set of program positions with insertion order, cleared in constant time (a sparse set).
struct ThreadList {
    private var dense: [Int]
    private var sparse: [Int]
    private(set) var count = 0

    init(capacity: Int) {
        dense = Array(repeating: 0, count: capacity)
        sparse = Array(repeating: 0, count: capacity)
    }

    /// False when `pc` is already in the list.
    mutating func insert(_ pc: Int) -> Bool {
        let slot = sparse[pc]
        if slot < count && dense[slot] == pc { return false }
        sparse[pc] = count
        dense[count] = pc
        count += 1
        return true
    }

    mutating func clear() { count = 0 }

    var members: ArraySlice<Int> { dense[0..<count] }
}
