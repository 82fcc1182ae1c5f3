import Basics
import Foundation

/// Parses an HTTP/1.x request head (request line and header fields, RFC 9112), strictly:
/// anything malformed is refused rather than guessed at.
enum RequestHeadParser {
    enum Failure: Error, Equatable {
        case malformed(String)
        case unsupportedVersion
    }

    /// `head` is everything before the blank line, without it.
    static func parse(_ head: [UInt8]) throws(Failure) -> HTTPServerRequest {
        guard let text = String(validating: head, as: UTF8.self) else { throw .malformed("request head is not UTF-8") }
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        // Tolerate bare LF line ends (RFC 9112 §2.2 allows a recipient to).
        if lines.count == 1 { lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        guard let requestLine = lines.first, !requestLine.isEmpty else { throw .malformed("empty request line") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("request line must be METHOD TARGET VERSION") }
        let method = String(parts[0])
        guard !method.isEmpty, method.utf8.allSatisfy({ (65...90).contains($0) }) else { throw .malformed("bad method") }
        let version = String(parts[2])
        guard version.hasPrefix("HTTP/") else { throw .malformed("bad protocol version") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .unsupportedVersion }
        var target = Substring(parts[1])
        if target.hasPrefix("http://") || target.hasPrefix("https://") {
            // absolute-form: keep the path only.
            let afterScheme = target[target.range(of: "://")!.upperBound...]
            target = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        guard target.hasPrefix("/"), !target.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else {
            throw .malformed("bad request target")
        }
        let path: String
        var query: String?
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = String(target)
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("header line without a colon") }
            let name = String(line[..<colon])
            guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" }) else { throw .malformed("bad header name") }
            headers.append((name, line[line.index(after: colon)...].trimmingCharacters(in: [" ", "\t"])))
        }
        return HTTPServerRequest(method: method, path: path, query: query, version: version, headers: headers)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

extension RequestHeadParser.Failure: CalworkerError {
    var errorCode: String {
        switch self {
        case .malformed: "malformed_request"
        case .unsupportedVersion: "unsupported_version"
        }
    }

    var message: String {
        switch self {
        case .malformed(let why): why
        case .unsupportedVersion: "only HTTP/1.0 and HTTP/1.1 are served"
        }
    }

    /// The same bytes would be refused again.
    var isRetryable: Bool { false }
}
