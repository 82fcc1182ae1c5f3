import CCurl
import Foundation
import Metrics

/// Sends HTTP requests through libcurl, blocking the calling thread (a worker slot or a
/// command's main thread), and counts them in the metrics under its service name.
///
/// A new easy handle per request keeps the client `Sendable` without locks; connection reuse
/// across requests is a later concern of the clients that send many (the Calendar client).
public final class HTTPClient: Sendable {
    /// The bounded `service` label of this client's metrics.
    public let service: String
    public let userAgent: String
    /// Schemes libcurl may use, for the first request and any it is told to follow.
    public let allowedProtocols: String
    let metrics: HTTPClientMetrics

    public init(service: String, metrics: MetricsRegistry, userAgent: String = "calworker",
                allowedProtocols: String = "http,https") {
        self.service = service
        self.userAgent = userAgent
        self.allowedProtocols = allowedProtocols
        self.metrics = HTTPClientMetrics(metrics)
    }

    /// Sends one request and returns the response, whatever its status.
    ///
    /// - Parameter shouldAbort: polled while the transfer runs (at least once a second); return
    ///   true to stop it (the job was cancelled or timed out). Throws `.aborted` then.
    /// - Throws: `HTTPError` when there is no response: transport failure, abort, body too large.
    public func send(_ request: HTTPRequest, shouldAbort: (@Sendable () -> Bool)? = nil) throws(HTTPError) -> HTTPResponse {
        let method = request.method.uppercased()
        let started = ContinuousClock.now
        do {
            let response = try transfer(request, method: method, shouldAbort: shouldAbort)
            metrics.requests.labels(service, method, response.statusClass).increment()
            metrics.duration.labels(service, method).observe(ContinuousClock.now - started)
            return response
        } catch {
            if error.kind != .invalidRequest {
                metrics.requests.labels(service, method, "error").increment()
                metrics.duration.labels(service, method).observe(ContinuousClock.now - started)
            }
            throw error
        }
    }

    private func transfer(_ request: HTTPRequest, method: String,
                          shouldAbort: (@Sendable () -> Bool)?) throws(HTTPError) -> HTTPResponse {
        guard let components = URLComponents(string: request.url), let scheme = components.scheme?.lowercased(),
              allowedProtocols.split(separator: ",").contains(Substring(scheme)), components.host?.isEmpty == false else {
            throw HTTPError(.invalidRequest, "not a usable \(allowedProtocols) URL: \(Self.redact(request.url))")
        }
        guard method.allSatisfy({ $0.isLetter && $0.isASCII }) else {
            throw HTTPError(.invalidRequest, "not an HTTP method: \(method)")
        }
        let easy = try CurlEasy()
        let state = CurlTransfer(maxBytes: request.maxResponseBytes, shouldAbort: shouldAbort)
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_PROTOCOLS_STR, allowedProtocols)
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, allowedProtocols)
        try easy.set(CURLOPT_USERAGENT, userAgent)
        try easy.set(CURLOPT_TIMEOUT_MS, Int(request.timeout.milliseconds))
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout.milliseconds))
        switch (method, request.body) {
        case ("GET", nil): try easy.set(CURLOPT_HTTPGET, 1)
        case ("HEAD", _): try easy.set(CURLOPT_NOBODY, 1)
        case (_, let body?):
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
            // COPYPOSTFIELDS copies, so the bytes may go away before the transfer runs.
            var bytes = [UInt8](body)
            if bytes.isEmpty { bytes = [0] }
            let copied: Result<Void, HTTPError> = bytes.withUnsafeMutableBytes { buffer in
                Result { () throws(HTTPError) in try easy.set(CURLOPT_COPYPOSTFIELDS, pointer: buffer.baseAddress) }
            }
            try copied.get()
            if method != "POST" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
        case (_, nil):
            try easy.set(CURLOPT_CUSTOMREQUEST, method)
        }
        // "Expect: 100-continue" would cost a round trip (or a second's wait) per upload.
        try easy.setHeaders(request.headers.map { "\($0.name): \($0.value)" } + ["Expect:"])
        try easy.set(CURLOPT_WRITEFUNCTION, callback: CurlTransfer.write)
        try easy.set(CURLOPT_WRITEDATA, pointer: state.opaque)
        try easy.set(CURLOPT_HEADERFUNCTION, callback: CurlTransfer.header)
        try easy.set(CURLOPT_HEADERDATA, pointer: state.opaque)
        if shouldAbort != nil {
            try easy.setProgress(CurlTransfer.progress)
            try easy.set(CURLOPT_XFERINFODATA, pointer: state.opaque)
        }
        let code = withExtendedLifetime(state) { easy.perform() }
        if state.aborted {
            throw HTTPError(.aborted, "\(method) \(Self.redact(request.url)) stopped: the job was asked to stop",
                            curlCode: Int(code.rawValue))
        }
        if state.tooLarge {
            throw HTTPError(.responseTooLarge, "\(method) \(Self.redact(request.url)): response larger than \(request.maxResponseBytes) bytes",
                            curlCode: Int(code.rawValue))
        }
        guard code == CURLE_OK else {
            throw HTTPError(.transport, "\(method) \(Self.redact(request.url)) failed: \(easy.message(for: code))",
                            curlCode: Int(code.rawValue))
        }
        return HTTPResponse(status: easy.responseCode(), headers: state.headers, body: state.body)
    }

    /// The URL without credentials or query string, for messages and logs (a query may carry
    /// an API key, user info a password).
    public static func redact(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "(unparseable URL)" }
        components.user = nil
        components.password = nil
        let hadQuery = components.query != nil
        components.query = nil
        components.fragment = nil
        return (components.string ?? "(unparseable URL)") + (hadQuery ? "?…" : "")
    }
}

extension Duration {
    var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
