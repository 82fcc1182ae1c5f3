/// A WebDAV multistatus (RFC 4918 §13) as calworker reads it: each response's href, the
/// properties found (a 200 propstat) and those missing, its own status when it has no
/// properties (a member gone from a sync-collection report), and the report's sync-token.
public struct Multistatus: Sendable, Equatable {
    public struct Response: Sendable, Equatable {
        /// As the server wrote it (percent-encoded, absolute path or full URL).
        public var href: String
        /// The response's own status code (`HTTP/1.1 404 Not Found` → 404), when it has one.
        public var status: Int?
        /// The properties found, by namespace and name.
        public var properties: [Property]
        /// Properties asked for that the server does not have (a 404 propstat) or refused.
        public var missing: [Property]

        public func property(_ namespace: String, _ name: String) -> XMLElement? {
            properties.first { $0.namespace == namespace && $0.name == name }?.element
        }
    }

    public struct Property: Sendable, Equatable {
        public var namespace: String
        public var name: String
        public var element: XMLElement
    }

    public var responses: [Response]
    /// RFC 6578: the token to send next time.
    public var syncToken: String?

    public static let dav = "DAV:"
    public static let caldav = "urn:ietf:params:xml:ns:caldav"
    public static let calendarServer = "http://calendarserver.org/ns/"
    public static let apple = "http://apple.com/ns/ical/"

    /// Reads a multistatus document; anything else is an error, never an empty answer.
    public init(_ root: XMLElement) throws(XMLError) {
        guard root.namespace == Self.dav, root.name == "multistatus" else {
            throw XMLError("the answer is <\(root.name)>, not a DAV: multistatus")
        }
        responses = try root.children(Self.dav, "response").map { response throws(XMLError) in
            guard let href = response.child(Self.dav, "href")?.trimmedText, !href.isEmpty else {
                throw XMLError("a response without an href")
            }
            var found: [Property] = []
            var missing: [Property] = []
            for propstat in response.children(Self.dav, "propstat") {
                let code = propstat.child(Self.dav, "status").flatMap { Self.statusCode($0.trimmedText) }
                let properties = (propstat.child(Self.dav, "prop")?.children ?? []).map {
                    Property(namespace: $0.namespace, name: $0.name, element: $0)
                }
                if let code, (200..<300).contains(code) { found += properties } else { missing += properties }
            }
            return Response(
                href: href, status: response.child(Self.dav, "status").flatMap { Self.statusCode($0.trimmedText) }, properties: found,
                missing: missing)
        }
        syncToken = root.child(Self.dav, "sync-token")?.trimmedText
    }

    /// `HTTP/1.1 200 OK` → 200.
    static func statusCode(_ line: String) -> Int? {
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]), (100...599).contains(code) else { return nil }
        return code
    }
}
