import Foundation
import FoundationEssentials

/// A parsed request head. The server serves small GET endpoints, so bodies are not read.
public struct HTTPServerRequest: Sendable, Equatable {
    public var method: String
    /// The path without the query string (`/metrics`).
    public var path: String
    public var query: String?
    public var version: String
    public var headers: [(name: String, value: String)]
    /// The body, when the client sent a `Content-Length`.
    public var body: [UInt8] = []
    /// The client's address without its port (what login throttling counts by); empty for a
    /// request made in-process.
    public var peer = ""

    public init(
        method: String, path: String, query: String? = nil, version: String = "HTTP/1.1",
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public static func == (lhs: HTTPServerRequest, rhs: HTTPServerRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query && lhs.version == rhs.version
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value) && lhs.body == rhs.body
    }
}

/// What a handler answers.
public struct HTTPServerResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var headers: [(name: String, value: String)]
    /// Close the connection without answering (test servers use it to simulate a network
    /// failure mid-request).
    public var dropsConnection = false

    public init(
        status: Int, contentType: String = "text/plain; charset=utf-8", body: String,
        headers: [(name: String, value: String)] = []
    ) {
        self.status = status
        self.contentType = contentType
        self.body = Array(body.utf8)
        self.headers = headers
    }

    /// A body of bytes (JSON produced by `JSONSerialization`, binary payloads).
    public init(status: Int, contentType: String, bytes: [UInt8], headers: [(name: String, value: String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = bytes
        self.headers = headers
    }

    /// No response at all: the connection is closed as if the network failed.
    public static var dropConnection: HTTPServerResponse {
        var response = HTTPServerResponse(status: 500, body: "")
        response.dropsConnection = true
        return response
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 201: "Created"
        case 204: "No Content"
        case 303: "See Other"
        case 304: "Not Modified"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 429: "Too Many Requests"
        case 502: "Bad Gateway"
        case 413: "Content Too Large"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }

    /// The bytes on the wire. Every response closes the connection: scrapes are seconds apart,
    /// and a server that never keeps a connection cannot be held open by idle clients.
    func serialized(includeBody: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        if status != 204 && status != 304 {
            head += "Content-Type: \(contentType)\r\n"
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "Connection: close\r\n"
        head += "Cache-Control: no-store\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (includeBody ? body : [])
    }
}
