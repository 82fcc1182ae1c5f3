/// A compiled pattern: instructions for `RegexMachine`.
struct RegexProgram: Sendable {
    enum Instruction: Sendable, Equatable {
        /// Consume a character equal to this one, case-insensitively (stored folded).
        case character(Unicode.Scalar)
        /// Consume any character but a line feed.
        case anyButNewline
        /// Consume a character of `sets[index]`.
        case set(Int)
        /// Go on at both targets.
        case split(Int, Int)
        case jump(Int)
        /// Go on only if the assertion holds here.
        case assert(RegexAssertion)
        case match
    }

    var instructions: [Instruction] = []
    var sets: [ScalarSet] = []
}

/// Turns a `RegexNode` into a `RegexProgram` (Thompson's construction), refusing one longer
/// than the limit once counted repetitions are written out.
enum RegexCompiler {
    static func compile(_ node: RegexNode, limit: Int) throws(RegexError) -> RegexProgram {
        var program = RegexProgram()
        try emit(node, into: &program, limit: limit)
        program.instructions.append(.match)
        return program
    }

    private static func append(_ instruction: RegexProgram.Instruction, _ program: inout RegexProgram, limit: Int) throws(RegexError) -> Int {
        guard program.instructions.count < limit else {
            throw RegexError("the pattern is too large once its repetitions are written out (over \(limit) steps); use smaller counts")
        }
        program.instructions.append(instruction)
        return program.instructions.count - 1
    }

    private static func emit(_ node: RegexNode, into program: inout RegexProgram, limit: Int) throws(RegexError) {
        switch node {
        case .empty:
            break
        case .literal(let scalar):
            _ = try append(.character(CaseFolding.fold(scalar)), &program, limit: limit)
        case .anyButNewline:
            _ = try append(.anyButNewline, &program, limit: limit)
        case .set(let set):
            program.sets.append(set)
            _ = try append(.set(program.sets.count - 1), &program, limit: limit)
        case .assertion(let assertion):
            _ = try append(.assert(assertion), &program, limit: limit)
        case .concatenation(let items):
            for item in items { try emit(item, into: &program, limit: limit) }
        case .alternation(let branches):
            // split L1, next; L1: first; jump end; next: split L2, ... ; last
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index < branches.count - 1 {
                    let split = try append(.split(0, 0), &program, limit: limit)
                    try emit(branch, into: &program, limit: limit)
                    jumps.append(try append(.jump(0), &program, limit: limit))
                    program.instructions[split] = .split(split + 1, program.instructions.count)
                } else {
                    try emit(branch, into: &program, limit: limit)
                }
            }
            for jump in jumps { program.instructions[jump] = .jump(program.instructions.count) }
        case .repetition(let inner, let min, let max):
            for _ in 0..<min { try emit(inner, into: &program, limit: limit) }
            if let max {
                // (inner (inner (...)?)?)?: each optional copy may be skipped to the end.
                var skips: [Int] = []
                for _ in min..<max {
                    skips.append(try append(.split(0, 0), &program, limit: limit))
                    try emit(inner, into: &program, limit: limit)
                }
                let end = program.instructions.count
                for skip in skips { program.instructions[skip] = .split(skip + 1, end) }
            } else {
                // loop: split body, end; body: inner; jump loop
                let loop = try append(.split(0, 0), &program, limit: limit)
                try emit(inner, into: &program, limit: limit)
                _ = try append(.jump(loop), &program, limit: limit)
                program.instructions[loop] = .split(loop + 1, program.instructions.count)
            }
        }
    }
}
