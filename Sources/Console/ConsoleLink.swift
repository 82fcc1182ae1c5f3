/// A link to one of the console's own pages: a path from the root and query items, both
/// percent-encoded. It cannot point anywhere else: it always starts with one `/`, so no value
/// can turn it into `javascript:` or `//elsewhere`.
public struct ConsoleLink: Sendable, Equatable {
    public let path: [String]
    public let query: [(String, String)]

    /// - Parameters:
    ///   - path: the segments after `/`, each encoded (`["jobs", "42"]` is `/jobs/42`).
    ///   - query: items in order; nil values are left out.
    public init(_ path: [String], query: [(String, String?)] = []) {
        self.path = path
        self.query = query.compactMap { name, value in value.map { (name, $0) } }
    }

    public var href: String {
        let encodedPath = "/" + path.map(Self.encode).joined(separator: "/")
        guard !query.isEmpty else { return encodedPath }
        return encodedPath + "?" + query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    public static func == (a: ConsoleLink, b: ConsoleLink) -> Bool { a.href == b.href }

    /// Everything but RFC 3986's unreserved characters, percent-encoded byte by byte.
    static func encode(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
