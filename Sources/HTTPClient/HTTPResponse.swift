public import Foundation
import Redaction

/// A complete response: status, headers as received, body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: Data

    public init(status: Int, headers: [HTTPHeader] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared without regard to case (RFC 9110).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// `2xx`, `4xx`, ...: the bounded label metrics use.
    public var statusClass: String { "\(status / 100)xx" }

    /// The body as text, for error messages: without secrets it may echo (`Redactor`), cut
    /// short so a large page does not flood a log.
    public func bodyExcerpt(limit: Int = 300) -> String {
        // Redacted before the cut (a bit more is read than shown), so no half-secret remains.
        Redactor.clean(String(decoding: body.prefix(limit * 4 + 1024), as: UTF8.self), limit: limit)
    }
}
