/// Escaping for iCalendar values (RFC 5545 §3.3.11) and parameter values (§3.2).
public enum ICalText {
    /// A TEXT value: backslash, semicolon and comma escaped, line breaks as `\n`; other
    /// control characters (which no TEXT may hold) dropped.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\n": if !previousWasCR { result += "\\n" }
            case "\r": result += "\\n"
            case "\t": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A parameter value: double quotes and control characters cannot appear at all (RFC 5545
    /// has no escape for them), so they are dropped; a value with `:`, `;` or `,` is quoted.
    public static func parameterValue(_ value: String) -> String {
        var clean = ""
        var needsQuotes = false
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar.value < 0x20 || scalar.value == 0x7F { continue }
            if scalar == ":" || scalar == ";" || scalar == "," { needsQuotes = true }
            clean.unicodeScalars.append(scalar)
        }
        return needsQuotes ? "\"" + clean + "\"" : clean
    }
}
