import Foundation

/// A header name and value, in the order they are sent or were received.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One HTTP request. Defaults are what a background job wants: a bounded time, a bounded
/// response, no redirects followed silently.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data?
    /// The whole exchange, connect to last byte. Default 30 s.
    public var timeout: Duration = .seconds(30)
    /// Establishing the connection (TCP and TLS). Default 10 s.
    public var connectTimeout: Duration = .seconds(10)
    /// A larger response is cut off with `HTTPError.Kind.responseTooLarge`: a misbehaving
    /// server cannot exhaust the worker's memory. Default 16 MiB.
    public var maxResponseBytes: Int = 16 << 20

    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
