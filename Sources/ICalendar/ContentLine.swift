/// One iCalendar content line (RFC 5545 §3.1) as bytes: `NAME;PARAM=VALUE:value`, folded so
/// no line exceeds 75 octets, ending in CRLF.
///
/// Folding counts octets, not characters, and never breaks inside a UTF-8 sequence: a title
/// of emoji or CJK splits between characters, so a strict parser never sees half a code point.
public enum ContentLine {
    /// The longest a physical line may be, CRLF excluded.
    public static let maximumOctets = 75

    /// Appends the folded line to `output`. `value` is written as given: escape TEXT values
    /// first (`ICalText.escape`); parameter values are made safe here.
    public static func append(name: String, parameters: KeyValuePairs<String, String> = [:], value: String, to output: inout [UInt8]) {
        var line: [UInt8] = []
        line.reserveCapacity(name.utf8.count + value.utf8.count + 16)
        line.append(contentsOf: name.utf8)
        for (key, parameter) in parameters {
            line.append(UInt8(ascii: ";"))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            line.append(contentsOf: ICalText.parameterValue(parameter).utf8)
        }
        line.append(UInt8(ascii: ":"))
        line.append(contentsOf: value.utf8)
        appendFolded(line, to: &output)
    }

    /// Appends `line` (one logical line, no CRLF) folded at `maximumOctets`, with CRLF.
    public static func appendFolded(_ line: [UInt8], to output: inout [UInt8]) {
        var start = 0
        var limit = maximumOctets
        while line.count - start > limit {
            var end = start + limit
            // Back off to the first byte of a UTF-8 sequence (continuation bytes are 10xxxxxx).
            while end > start + 1 && line[end] & 0xC0 == 0x80 { end -= 1 }
            output.append(contentsOf: line[start..<end])
            output.append(contentsOf: [13, 10, 32])
            start = end
            limit = maximumOctets - 1  // the leading space counts
        }
        output.append(contentsOf: line[start...])
        output.append(contentsOf: [13, 10])
    }
}
