/// Event identifiers as Google defines them.
///
/// A client may choose an event's id on insert, so the rules are checked exactly: base32hex
/// characters (`0-9`, `a-v`, RFC 2938 §3.1.2) and 5 to 1024 of them. Ids the server makes are
/// 26 random base32hex characters (130 bits), like the ones Google generates. Instances of a
/// recurring series are `<seriesId>_<YYYYMMDDTHHMMSSZ>` (or `_<YYYYMMDD>` all day), which is
/// why a client can never pick such an id itself (`_` is not base32hex).
enum EventID {
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuv".utf8)

    static func isValidClientID(_ id: String) -> Bool {
        let bytes = id.utf8
        guard (5...1024).contains(bytes.count) else { return false }
        return bytes.allSatisfy { (48...57).contains($0) || (97...118).contains($0) }
    }

    static func random() -> String {
        // Five bits a character from 64-bit draws: three system calls, not 26.
        var generator = SystemRandomNumberGenerator()
        var pool: UInt64 = generator.next()
        var bitsLeft = 64
        var characters: [UInt8] = []
        characters.reserveCapacity(26)
        for _ in 0..<26 {
            if bitsLeft < 5 {
                pool = generator.next()
                bitsLeft = 64
            }
            characters.append(alphabet[Int(pool & 31)])
            pool >>= 5
            bitsLeft -= 5
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Splits `<seriesId>_<suffix>` into its parts; nil when the id has no `_`.
    static func instanceParts(_ id: String) -> (seriesID: String, suffix: String)? {
        guard let underscore = id.lastIndex(of: "_") else { return nil }
        let series = String(id[..<underscore])
        let suffix = String(id[id.index(after: underscore)...])
        guard !series.isEmpty, !suffix.isEmpty else { return nil }
        return (series, suffix)
    }
}
