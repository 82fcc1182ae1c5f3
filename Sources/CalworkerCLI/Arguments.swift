import Configuration

/// A command's options as declared for parsing and `--help`.
struct OptionSpec: Sendable {
    let name: String
    /// `nil` for a flag without a value.
    let valueName: String?
    let help: String

    static func flag(_ name: String, _ help: String) -> OptionSpec { OptionSpec(name: name, valueName: nil, help: help) }
    static func value(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help)
    }
}

/// Options and positional arguments after parsing against a command's `OptionSpec`s.
struct ParsedArguments: Sendable {
    var values: [String: String] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    func value(_ name: String) -> String? { values[name] }
    func has(_ name: String) -> Bool { flags.contains(name) }

    /// Parses `--name value`, `--name=value`, flags and positionals; `--` ends options.
    static func parse(_ arguments: [String], options: [OptionSpec]) throws(CLIError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("--") || argument == "-" {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let spec = options.first(where: { $0.name == name }) else {
                throw CLIError(.usage, "unknown option --\(name)", hint: "see --help for the options this command takes")
            }
            if spec.valueName == nil {
                guard inlineValue == nil else { throw CLIError(.usage, "--\(name) takes no value") }
                parsed.flags.insert(name)
                continue
            }
            if let inlineValue {
                parsed.values[name] = inlineValue
            } else {
                guard index < arguments.count else {
                    throw CLIError(.usage, "--\(name) needs a value (\(spec.valueName!))")
                }
                parsed.values[name] = arguments[index]
                index += 1
            }
        }
        return parsed
    }

    func int(_ name: String, range: ClosedRange<Int>) throws(CLIError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw CLIError(.usage, "--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    /// A duration option, which must lie in `range`: out-of-range values (a typo of many digits)
    /// are a usage error naming the allowed range, never an overflow.
    func duration(_ name: String, in range: ClosedRange<Duration>) throws(CLIError) -> Duration? {
        guard let text = values[name] else { return nil }
        do {
            return try DurationText.parse(text, in: range)
        } catch {
            throw CLIError(.usage, "--\(name): \(error.description)")
        }
    }
}
