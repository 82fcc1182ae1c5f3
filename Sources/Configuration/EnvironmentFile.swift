import Foundation

/// A file of `NAME=value` lines, as systemd's `EnvironmentFile=` reads it, named by
/// `CALWORKER_ENV_FILE`: the one place a host keeps calworker's settings, so the cron lines read
/// the same environment the systemd units do. (The generated crontab once carried only the
/// database URL, so `notify check` from cron had no SMTP settings, raised the alert it could
/// not send, and exited 0.)
///
/// The variables a process was started with win over the file's. Syntax, as systemd's: one
/// assignment per line, `#` or `;` starting a comment line, a value in single or double quotes
/// taken without them (`\"` and `\\` inside double quotes), a trailing backslash joining the next
/// line. `export ` before a name is allowed, for files shells source too.
public enum EnvironmentFile {
    /// The variables of `path`'s file.
    public static func read(_ path: String) throws(ConfigurationError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(name: "CALWORKER_ENV_FILE", message: "cannot read '\(path)': missing, or not readable by this user")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(name: "CALWORKER_ENV_FILE", message: "'\(path)' is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// The assignments of `text`; a line that is none names itself (its number, not its value,
    /// which may be a secret).
    public static func parse(_ text: String, file: String = "the environment file") throws(ConfigurationError) -> [String: String] {
        var variables: [String: String] = [:]
        var pending = ""
        var firstLine = 0
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if pending.isEmpty { firstLine = index + 1 }
            if line.hasSuffix("\\") && !line.hasSuffix("\\\\") {
                pending += String(line.dropLast())
                continue
            }
            let joined = (pending + line).trimmingCharacters(in: .whitespaces)
            pending = ""
            if joined.isEmpty || joined.hasPrefix("#") || joined.hasPrefix(";") { continue }
            var assignment = Substring(joined)
            if assignment.hasPrefix("export ") { assignment = assignment.dropFirst("export ".count) }
            guard let equals = assignment.firstIndex(of: "=") else {
                throw ConfigurationError(name: "CALWORKER_ENV_FILE", message: "\(file), line \(firstLine): not NAME=value")
            }
            let name = assignment[..<equals].trimmingCharacters(in: .whitespaces)
            guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
                name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) })
            else {
                throw ConfigurationError(
                    name: "CALWORKER_ENV_FILE", message: "\(file), line \(firstLine): '\(name.prefix(64))' is not a variable name")
            }
            guard let value = unquoted(assignment[assignment.index(after: equals)...].trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError(name: "CALWORKER_ENV_FILE", message: "\(file), line \(firstLine): a quote is not closed")
            }
            variables[name] = value
        }
        if !pending.isEmpty {
            throw ConfigurationError(name: "CALWORKER_ENV_FILE", message: "\(file), line \(firstLine): ends with a backslash and nothing follows")
        }
        return variables
    }

    /// A value without its quotes; nil when a quote opens and is not closed.
    static func unquoted(_ value: String) -> String? {
        guard let quote = value.first, quote == "\"" || quote == "'" else { return value }
        guard value.count >= 2, value.last == quote else { return nil }
        let inner = value.dropFirst().dropLast()
        guard quote == "\"" else { return String(inner) }
        var result = ""
        var escaped = false
        for character in inner {
            if escaped {
                result.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return escaped ? nil : result
    }

    /// `environment` over the file `CALWORKER_ENV_FILE` names, if it names one.
    public static func merged(_ environment: [String: String]) throws(ConfigurationError) -> [String: String] {
        guard let path = environment["CALWORKER_ENV_FILE"], !path.isEmpty else { return environment }
        return try read(path).merging(environment) { _, process in process }
    }
}
