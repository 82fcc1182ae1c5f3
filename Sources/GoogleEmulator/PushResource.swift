/// What a watch channel watches: one calendar's events (every account watching it shares the
/// resource), or one account's calendar list.
enum PushResource: Sendable, Hashable {
    case events(calendarID: String)
    case calendarList(account: String)

    /// Google's opaque `resourceId`: the same for every channel on the resource, different for
    /// other resources and for another emulator run (it hashes the run's nonce), and never
    /// revealing the calendar or account it stands for.
    func resourceID(nonce: String) -> String {
        let text: String
        switch self {
        case .events(let calendarID): text = "\(nonce)\u{0}events\u{0}\(calendarID)"
        case .calendarList(let account): text = "\(nonce)\u{0}calendarList\u{0}\(account)"
        }
        // 128 bits from two FNV-1a passes, written like Google's ids (base32hex, 26 characters).
        var high = Self.fnv1a(text, basis: 0xCBF2_9CE4_8422_2325)
        var low = Self.fnv1a(text, basis: 0x6C62_272E_07BB_0142)
        var characters: [UInt8] = []
        for index in 0..<26 {
            let source = index < 13 ? high : low
            characters.append(EventID.alphabet[Int(source & 31)])
            if index < 13 { high >>= 5 } else { low >>= 5 }
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Google's `resourceUri`: the list request the channel stands for, below `apiRoot`
    /// (`http://127.0.0.1:PORT/calendar/v3`).
    func resourceURI(apiRoot: String) -> String {
        switch self {
        case .events(let calendarID): "\(apiRoot)/calendars/\(Self.percentEncoded(calendarID))/events?alt=json"
        case .calendarList: "\(apiRoot)/users/me/calendarList?alt=json"
        }
    }

    /// Everything but RFC 3986's unreserved characters escaped (`a@example.com` is
    /// `a%40example.com`), as Google writes calendar ids in URLs.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 15)])
            }
        }
        return out
    }

    private static func fnv1a(_ text: String, basis: UInt64) -> UInt64 {
        var hash = basis
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
