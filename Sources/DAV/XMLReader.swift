public import Basics

/// Reads the XML a WebDAV server answers with (RFC 4918 multistatus, RFC 4791 and 6578
/// reports) into elements named by namespace and local name. It reads what those answers
/// use (elements, attributes, namespaces, text, CDATA, comments, the five predefined entities
/// and character references) and refuses everything else: a DOCTYPE (so no entity is ever
/// defined, let alone expanded: no billion laughs, no external entities), undefined
/// entities, and anything past its limits on size, depth and element count.
public enum XMLReader {
    public struct Limits: Sendable {
        /// The most bytes of one answer. Default 32 MiB: a multistatus of 10,000 events' ETags
        /// is a few MB; a server that sends 100 MB is refused, not read.
        public var maxBytes = 32 << 20
        public var maxDepth = 64
        public var maxElements = 1_000_000

        public init() {}
    }

    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(XMLError) -> XMLElement {
        guard bytes.count <= limits.maxBytes else {
            throw XMLError("the answer is \(bytes.count) bytes, more than the \(limits.maxBytes) allowed")
        }
        var reader = Reader(bytes: bytes, limits: limits)
        return try reader.document()
    }

    public static func parse(_ text: String, limits: Limits = Limits()) throws(XMLError) -> XMLElement {
        try parse(Array(text.utf8), limits: limits)
    }
}

/// An element: its namespace URI and local name, attributes (by local name), children in
/// order, and its text (the text directly inside it, entities decoded).
public struct XMLElement: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    public var text: String

    /// The first child element with that namespace and name.
    public func child(_ namespace: String, _ name: String) -> XMLElement? {
        children.first { $0.namespace == namespace && $0.name == name }
    }

    public func children(_ namespace: String, _ name: String) -> [XMLElement] {
        children.filter { $0.namespace == namespace && $0.name == name }
    }

    /// Following a path of (namespace, name) steps, first match each time.
    public func find(_ path: [(String, String)]) -> XMLElement? {
        var current = self
        for (namespace, name) in path {
            guard let next = current.child(namespace, name) else { return nil }
            current = next
        }
        return current
    }

    /// The text with surrounding whitespace removed.
    public var trimmedText: String {
        var scalars = Substring.UnicodeScalarView(text.unicodeScalars)
        while let first = scalars.first, first == " " || first == "\n" || first == "\r" || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\n" || last == "\r" || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}

/// An answer that is not XML calworker reads: never a reason to act on what it said.
public struct XMLError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

private struct Reader {
    let bytes: [UInt8]
    let limits: XMLReader.Limits
    var index = 0
    var elements = 0

    init(bytes: [UInt8], limits: XMLReader.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// A raw element before its namespace is resolved.
    struct Open {
        var qualifiedName: String
        var attributes: [(String, String)]
        var namespaces: [String: String]
        var children: [XMLElement] = []
        var text: [UInt8] = []
    }

    mutating func document() throws(XMLError) -> XMLElement {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        var stack: [Open] = []
        var root: XMLElement?
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
                let chunk = try decoded(bytes[start..<index])
                if stack.isEmpty {
                    guard chunk.allSatisfy(Self.isSpace) else { throw XMLError("text outside the root element") }
                } else {
                    stack[stack.count - 1].text += chunk
                }
                continue
            }
            if starts("<!--") {
                guard let end = find("-->", from: index + 4) else { throw XMLError("a comment is never closed") }
                index = end + 3
            } else if starts("<![CDATA[") {
                guard let end = find("]]>", from: index + 9) else { throw XMLError("a CDATA section is never closed") }
                guard !stack.isEmpty else { throw XMLError("CDATA outside the root element") }
                stack[stack.count - 1].text += bytes[(index + 9)..<end]
                index = end + 3
            } else if starts("<!") {
                throw XMLError("a DOCTYPE or declaration: refused (entities are never defined or expanded)")
            } else if starts("<?") {
                guard let end = find("?>", from: index + 2) else { throw XMLError("a processing instruction is never closed") }
                index = end + 2
            } else if starts("</") {
                index += 2
                let name = readName()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw XMLError("</\(name) is not closed by >") }
                index += 1
                guard let open = stack.popLast() else { throw XMLError("</\(name)> without an element to close") }
                guard open.qualifiedName == name else { throw XMLError("</\(name)> closes <\(open.qualifiedName)>") }
                let element = try resolved(open, scopes: stack)
                if stack.isEmpty {
                    guard root == nil else { throw XMLError("more than one root element") }
                    root = element
                } else {
                    stack[stack.count - 1].children.append(element)
                }
            } else {
                guard root == nil else { throw XMLError("content after the root element") }
                index += 1
                var open = try startTag()
                elements += 1
                guard elements <= limits.maxElements else { throw XMLError("more than \(limits.maxElements) elements") }
                guard stack.count < limits.maxDepth else { throw XMLError("elements nested deeper than \(limits.maxDepth)") }
                if index < bytes.count, bytes[index] == UInt8(ascii: "/") {
                    index += 2
                    open.text = []
                    let element = try resolved(open, scopes: stack)
                    if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
                } else {
                    index += 1
                    stack.append(open)
                }
            }
        }
        guard stack.isEmpty else { throw XMLError("<\(stack.last!.qualifiedName)> is never closed") }
        guard let root else { throw XMLError("no root element") }
        return root
    }

    /// After `<`: name, attributes; stops at `/>` or `>`.
    mutating func startTag() throws(XMLError) -> Open {
        let name = readName()
        guard !name.isEmpty else { throw XMLError("'<' without an element name") }
        var attributes: [(String, String)] = []
        var namespaces: [String: String] = [:]
        while true {
            skipSpace()
            guard index < bytes.count else { throw XMLError("<\(name) is never closed") }
            if bytes[index] == UInt8(ascii: ">") { break }
            if bytes[index] == UInt8(ascii: "/") {
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else { throw XMLError("a stray / in <\(name)>") }
                break
            }
            let attribute = readName()
            guard !attribute.isEmpty else { throw XMLError("a malformed attribute in <\(name)>") }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw XMLError("attribute \(attribute) has no value") }
            index += 1
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw XMLError("attribute \(attribute) is not quoted")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw XMLError("attribute \(attribute) is never closed") }
            let value = String(decoding: try decoded(bytes[start..<index]), as: UTF8.self)
            index += 1
            if attribute == "xmlns" {
                namespaces[""] = value
            } else if attribute.hasPrefix("xmlns:") {
                namespaces[String(attribute.dropFirst(6))] = value
            } else {
                attributes.append((attribute, value))
            }
        }
        return Open(qualifiedName: name, attributes: attributes, namespaces: namespaces)
    }

    func resolved(_ open: Open, scopes: [Open]) throws(XMLError) -> XMLElement {
        func namespace(_ prefix: String) -> String? {
            if let uri = open.namespaces[prefix] { return uri }
            for scope in scopes.reversed() { if let uri = scope.namespaces[prefix] { return uri } }
            return prefix.isEmpty ? "" : (prefix == "xml" ? "http://www.w3.org/XML/1998/namespace" : nil)
        }
        let parts = open.qualifiedName.split(separator: ":", maxSplits: 1).map(String.init)
        let (prefix, local) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
        guard let uri = namespace(prefix) else { throw XMLError("the prefix '\(prefix)' of <\(open.qualifiedName)> is not declared") }
        var attributes: [String: String] = [:]
        for (name, value) in open.attributes { attributes[String(name.split(separator: ":").last ?? "")] = value }
        return XMLElement(
            namespace: uri, name: local, attributes: attributes, children: open.children, text: String(decoding: open.text, as: UTF8.self))
    }

    /// Text with `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and `&#...;` decoded; any other entity is an error.
    func decoded(_ slice: ArraySlice<UInt8>) throws(XMLError) -> [UInt8] {
        guard slice.contains(UInt8(ascii: "&")) else { return Array(slice) }
        var out: [UInt8] = []
        var position = slice.startIndex
        while position < slice.endIndex {
            let byte = slice[position]
            guard byte == UInt8(ascii: "&") else {
                out.append(byte)
                position += 1
                continue
            }
            guard let semicolon = slice[position...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw XMLError("a '&' that starts no entity")
            }
            let name = String(decoding: slice[(position + 1)..<semicolon], as: UTF8.self)
            switch name {
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "amp": out.append(UInt8(ascii: "&"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let number: UInt32?
                if name.hasPrefix("#x") {
                    number = UInt32(name.dropFirst(2), radix: 16)
                } else if name.hasPrefix("#") {
                    number = UInt32(name.dropFirst())
                } else {
                    number = nil
                }
                guard let number, number > 0, let scalar = Unicode.Scalar(number) else { throw XMLError("the entity &\(name); is not defined") }
                out += Array(String(Character(scalar)).utf8)
            }
            position = semicolon + 1
        }
        return out
    }

    mutating func readName() -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if Self.isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "<")
            {
                break
            }
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func skipSpace() { while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 } }

    func starts(_ text: String) -> Bool { bytes[index...].starts(with: text.utf8) }

    func find(_ text: String, from start: Int) -> Int? {
        let needle = Array(text.utf8)
        var position = start
        while position + needle.count <= bytes.count {
            if bytes[position] == needle[0] && bytes[position..<(position + needle.count)].elementsEqual(needle) { return position }
            position += 1
        }
        return nil
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}

extension XMLError: CalworkerError {
    public var errorCode: String { "invalid_xml" }
    /// A server's broken answer is retried: never a reason to delete what it failed to list.
    public var isRetryable: Bool { true }
}
