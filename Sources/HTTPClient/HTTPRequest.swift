public import Foundation

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
    /// Signs the request with AWS Signature Version 4 (libcurl's `CURLOPT_AWS_SIGV4`), for
    /// S3-compatible stores. libcurl signs the headers given here too: an
    /// `x-amz-content-sha256` header is used as the payload hash, and S3 requires one.
    public var awsSigV4: AWSSigV4?
    /// Follow up to this many redirects (to http or https only). Default 0: a redirect is
    /// returned as the response, so nothing is fetched from somewhere the caller did not name.
    public var maxRedirects = 0

    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What libcurl needs to sign a request with AWS Signature Version 4. The secret never
/// appears in `description`, so a request can be logged or printed safely.
public struct AWSSigV4: Sendable, CustomStringConvertible {
    /// libcurl's provider string: `aws:amz:REGION:SERVICE`, e.g. `aws:amz:us-east-1:s3`.
    public var provider: String
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(region: String, service: String, accessKeyID: String, secretAccessKey: String) {
        self.provider = "aws:amz:\(region):\(service)"
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    public var description: String { "AWSSigV4(\(provider), key \(accessKeyID), secret ****)" }
}
