import Basics
import CCurl
import Foundation
public import Metrics

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

    public init(
        service: String, metrics: MetricsRegistry, userAgent: String = "calworker",
        allowedProtocols: String = "http,https"
    ) {
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
        try measured(request) { () throws(HTTPError) in
            let state = CurlTransfer(maxBytes: request.maxResponseBytes, shouldAbort: shouldAbort)
            let easy = try prepare(request, state: state)
            let code = withExtendedLifetime(state) { easy.perform() }
            return try finish(request, easy: easy, code: code, state: state)
        }
    }

    /// Sends one request, streaming: the response body goes to `sink` piece by piece as it
    /// arrives (the returned response has an empty body), and the request body, if any, is
    /// read from `upload` as it is sent. Neither is ever whole in memory; `maxResponseBytes`
    /// still bounds what `sink` is given. An error thrown by `sink` or `upload` stops the
    /// transfer and is rethrown.
    public func send(
        _ request: HTTPRequest, upload: (any HTTPBodySource)? = nil,
        streamingTo sink: ((UnsafeRawBufferPointer) throws -> Void)?,
        shouldAbort: (@Sendable () -> Bool)? = nil
    ) throws -> HTTPResponse {
        let state = CurlTransfer(maxBytes: request.maxResponseBytes, shouldAbort: shouldAbort)
        state.sink = sink
        state.source = upload
        return try measured(request) { () throws(HTTPError) in
            let easy = try prepare(request, state: state)
            let code = withExtendedLifetime(state) { easy.perform() }
            if state.sinkError != nil || state.sourceError != nil {
                return HTTPResponse(status: -1)
            }
            return try finish(request, easy: easy, code: code, state: state)
        }.rethrowing(state)
    }

    /// Counts a request in the metrics by its outcome and times it.
    func measured(_ request: HTTPRequest, _ body: () throws(HTTPError) -> HTTPResponse) throws(HTTPError) -> HTTPResponse {
        let method = request.method.uppercased()
        let started = ContinuousClock.now
        do {
            let response = try body()
            record(method: method, outcome: .success(response), since: started)
            return response
        } catch {
            record(method: method, outcome: .failure(error), since: started)
            throw error
        }
    }

    func record(method: String, outcome: Result<HTTPResponse, HTTPError>, since started: ContinuousClock.Instant) {
        switch outcome {
        case .success(let response) where response.status >= 0:
            metrics.requests.labels(service, method, response.statusClass).increment()
        case .success:
            metrics.requests.labels(service, method, "error").increment()
        case .failure(let error):
            guard error.kind != .invalidRequest else { return }
            metrics.requests.labels(service, method, "error").increment()
        }
        metrics.duration.labels(service, method).observe(ContinuousClock.now - started)
    }

    /// An easy handle set up for `request`, writing into `state`.
    func prepare(_ request: HTTPRequest, state: CurlTransfer) throws(HTTPError) -> CurlEasy {
        let method = request.method.uppercased()
        guard let components = URLComponents(string: request.url), let scheme = components.scheme?.lowercased(),
            allowedProtocols.split(separator: ",").contains(Substring(scheme)), components.host?.isEmpty == false
        else {
            throw HTTPError(.invalidRequest, "not a usable \(allowedProtocols) URL: \(Self.redact(request.url))")
        }
        guard method.allSatisfy({ $0.isLetter && $0.isASCII }) else {
            throw HTTPError(.invalidRequest, "not an HTTP method: \(method)")
        }
        let easy = try CurlEasy()
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_PROTOCOLS_STR, allowedProtocols)
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, allowedProtocols)
        try easy.set(CURLOPT_USERAGENT, userAgent)
        try easy.set(CURLOPT_TIMEOUT_MS, Int(request.timeout.wholeMilliseconds))
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout.wholeMilliseconds))
        if let source = state.source {
            // A streamed upload: libcurl pulls the bytes through the read callback.
            try easy.set(CURLOPT_UPLOAD, 1)
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: source.length)
            try easy.setRead(CurlTransfer.read)
            try easy.set(CURLOPT_READDATA, pointer: state.opaque)
            if method != "PUT" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
        } else {
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
        }
        if request.maxRedirects > 0 {
            try easy.set(CURLOPT_FOLLOWLOCATION, 1)
            try easy.set(CURLOPT_MAXREDIRS, request.maxRedirects)
        }
        if let signing = request.awsSigV4 {
            try easy.set(CURLOPT_AWS_SIGV4, signing.provider)
            try easy.set(CURLOPT_USERNAME, signing.accessKeyID)
            try easy.set(CURLOPT_PASSWORD, signing.secretAccessKey)
        }
        if request.awsSigV4 == nil {
            // "Expect: 100-continue" would cost a round trip (or a second's wait) per upload.
            try easy.setHeaders(request.headers.map { "\($0.name): \($0.value)" } + ["Expect:"])
        } else {
            // libcurl 7.88 signs a header-removal line ("Expect:") as an empty header it then
            // does not send, and the signature fails. So no removal; libcurl's 100-continue
            // wait (large uploads only) is cut short instead.
            try easy.setHeaders(request.headers.map { "\($0.name): \($0.value)" })
            try easy.set(CURLOPT_EXPECT_100_TIMEOUT_MS, 100)
        }
        try easy.set(CURLOPT_WRITEFUNCTION, callback: CurlTransfer.write)
        try easy.set(CURLOPT_WRITEDATA, pointer: state.opaque)
        try easy.set(CURLOPT_HEADERFUNCTION, callback: CurlTransfer.header)
        try easy.set(CURLOPT_HEADERDATA, pointer: state.opaque)
        if state.shouldAbort != nil {
            try easy.setProgress(CurlTransfer.progress)
            try easy.set(CURLOPT_XFERINFODATA, pointer: state.opaque)
        }
        return easy
    }

    /// The response of a finished transfer, or the error it ended with.
    func finish(_ request: HTTPRequest, easy: CurlEasy, code: CURLcode, state: CurlTransfer) throws(HTTPError) -> HTTPResponse {
        let method = request.method.uppercased()
        if state.aborted {
            throw HTTPError(
                .aborted, "\(method) \(Self.redact(request.url)) stopped: the job was asked to stop",
                curlCode: Int(code.rawValue))
        }
        if state.tooLarge {
            throw HTTPError(
                .responseTooLarge,
                "\(method) \(Self.redact(request.url)): response larger than \(request.maxResponseBytes) bytes "
                    + "(or headers past \(CurlTransfer.maxHeaderBytes))", curlCode: Int(code.rawValue))
        }
        guard code == CURLE_OK else {
            // Failures that the same request will meet again (a redirect to a scheme we do not
            // follow, a redirect loop, a malformed URL) are not worth a retry.
            let kind: HTTPError.Kind = Self.permanentFailures.contains(code) ? .invalidRequest : .transport
            throw HTTPError(
                kind, "\(method) \(Self.redact(request.url)) failed: \(easy.message(for: code))",
                curlCode: Int(code.rawValue))
        }
        return HTTPResponse(status: easy.responseCode(), headers: state.headers, body: state.body)
    }

    /// libcurl results that say the request itself cannot work.
    static let permanentFailures: Set<CURLcode> = [CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_TOO_MANY_REDIRECTS]

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

extension HTTPResponse {
    /// Rethrows the sink's or the source's own error, which the transfer stopped for.
    func rethrowing(_ state: CurlTransfer) throws -> HTTPResponse {
        if let error = state.sinkError ?? state.sourceError { throw error }
        return self
    }
}
