import Foundation

/// The encodings an RFC 5322 message needs for UTF-8 text: encoded words (RFC 2047) in
/// headers, quoted-printable (RFC 2045) in bodies, CRLF everywhere.
enum MIMEEncoding {
    /// A header value as is when it is plain printable ASCII, else as `=?UTF-8?B?…?=` words,
    /// split between characters (never inside one), folded so that no line passes 76
    /// characters; `used` is how much of the first line the header's name already takes.
    static func headerValue(_ text: String, used: Int = 0) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f }) { return text }
        var words: [String] = []
        var chunk = ""
        for character in text {
            let candidate = chunk + String(character)
            let room = (words.isEmpty ? 76 - used : 75) - 12
            if Data(candidate.utf8).base64EncodedString().count > room {
                words.append(chunk)
                chunk = String(character)
            } else {
                chunk = candidate
            }
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// Quoted-printable with CRLF line ends and soft breaks keeping every line within 76
    /// characters. A line may well start with `.`: libcurl dot-stuffs it on the wire.
    static func quotedPrintable(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var output: [String] = []
        for line in lines {
            let bytes = Array(line.utf8)
            var current = ""
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let piece: String
                switch byte {
                case 0x21...0x3c, 0x3e...0x7e: piece = String(UnicodeScalar(byte))
                case 0x20, 0x09: piece = last ? String(format: "=%02X", byte) : String(UnicodeScalar(byte))
                default: piece = String(format: "=%02X", byte)
                }
                if current.count + piece.count > 75 {
                    output.append(current + "=")
                    current = ""
                }
                current += piece
            }
            output.append(current)
        }
        return output.joined(separator: "\r\n")
    }

    /// RFC 5322's date: `Tue, 01 Dec 2026 20:15:00 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
