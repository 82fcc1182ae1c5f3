import Foundation
import HTTPClient
import HTTPServer
import Metrics
import Synchronization
import Testing

/// libcurl against our own HTTP server over loopback: real sockets, real HTTP.
@Suite struct HTTPClientTests {
    /// A server that echoes what it received and answers per path.
    static func makeServer(_ handler: @escaping HTTPServer.Handler = Self.echo) throws -> HTTPServer {
        let server = try HTTPServer(address: "127.0.0.1:0", handler: handler)
        server.start()
        return server
    }

    static let echo: HTTPServer.Handler = { request in
        switch request.path {
        case "/big": return HTTPServerResponse(status: 200, body: String(repeating: "x", count: 100_000))
        case "/missing": return HTTPServerResponse(status: 404, body: "nope")
        case "/slow":
            Thread.sleep(forTimeInterval: 3)
            return HTTPServerResponse(status: 200, body: "late")
        default:
            let body = "\(request.method) \(request.path) \(request.header("X-Test") ?? "-") \(String(decoding: request.body, as: UTF8.self))"
            return HTTPServerResponse(status: 200, contentType: "text/plain", body: body, headers: [("X-Reply", "yes")])
        }
    }

    @Test func getReturnsStatusHeadersAndBody() throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let registry = MetricsRegistry()
        let client = HTTPClient(service: "test", metrics: registry)
        let response = try client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/hello", headers: [HTTPHeader("X-Test", "1")]))
        #expect(response.status == 200)
        #expect(response.header("x-reply") == "yes")
        #expect(String(decoding: response.body, as: UTF8.self) == "GET /hello 1 ")
        #expect(registry.render().contains(#"calworker_http_requests_total{method="GET",service="test",status_class="2xx"} 1"#) == false)
        #expect(registry.render().contains(#"calworker_http_requests_total{service="test",method="GET",status_class="2xx"} 1"#))
        #expect(registry.render().contains(#"calworker_http_request_duration_seconds_count{service="test",method="GET"} 1"#))
    }

    @Test(arguments: ["PUT", "POST", "PATCH", "DELETE"])
    func methodsSendTheirBody(method: String) throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let client = HTTPClient(service: "test", metrics: MetricsRegistry())
        let request = HTTPRequest(method: method, url: "http://127.0.0.1:\(server.port)/thing", body: Data("payload ü".utf8))
        let response = try client.send(request)
        #expect(String(decoding: response.body, as: UTF8.self) == "\(method) /thing - payload ü")
    }

    @Test func errorStatusesAreResponsesNotErrors() throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let registry = MetricsRegistry()
        let response = try HTTPClient(service: "test", metrics: registry).send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/missing"))
        #expect(response.status == 404)
        #expect(registry.render().contains(#"status_class="4xx"} 1"#))
    }

    @Test func aRefusedConnectionIsARetryableTransportErrorWithCurlsMessage() throws {
        let registry = MetricsRegistry()
        // Port 9 (discard) is closed on loopback here.
        let error = #expect(throws: HTTPError.self) {
            try HTTPClient(service: "test", metrics: registry).send(HTTPRequest(url: "http://127.0.0.1:9/x"))
        }
        #expect(error?.kind == .transport)
        #expect(error?.isRetryable == true)
        #expect(error?.curlCode == 7)
        #expect(error?.message.contains("Couldn't connect") == true || error?.message.contains("Failed to connect") == true)
        #expect(registry.render().contains(#"status_class="error"} 1"#))
    }

    @Test func aTimeoutIsReported() throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        var request = HTTPRequest(url: "http://127.0.0.1:\(server.port)/slow")
        request.timeout = .milliseconds(300)
        let error = #expect(throws: HTTPError.self) { try HTTPClient(service: "test", metrics: MetricsRegistry()).send(request) }
        #expect(error?.kind == .transport)
        #expect(error?.curlCode == 28)
    }

    @Test func aResponseOverTheLimitIsCutOff() throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        var request = HTTPRequest(url: "http://127.0.0.1:\(server.port)/big")
        request.maxResponseBytes = 10_000
        let error = #expect(throws: HTTPError.self) { try HTTPClient(service: "test", metrics: MetricsRegistry()).send(request) }
        #expect(error?.kind == .responseTooLarge)
    }

    @Test func theAbortCallbackStopsATransfer() throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let started = ContinuousClock.now
        let error = #expect(throws: HTTPError.self) {
            try HTTPClient(service: "test", metrics: MetricsRegistry())
                .send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/slow"), shouldAbort: { ContinuousClock.now - started > .milliseconds(200) })
        }
        #expect(error?.kind == .aborted)
    }

    @Test(arguments: ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://x", "not a url", "http://"])
    func onlyHTTPURLsAreAccepted(url: String) {
        let error = #expect(throws: HTTPError.self) { try HTTPClient(service: "test", metrics: MetricsRegistry()).send(HTTPRequest(url: url)) }
        #expect(error?.kind == .invalidRequest)
    }

    @Test func tlsVerificationIsOn() throws {
        // Our server speaks plain HTTP; an https URL to it must fail the handshake, not fall
        // back to plain text. (Certificate checks against a self-signed server are tested with
        // the SMTP and S3 servers, which serve TLS.)
        let server = try Self.makeServer()
        defer { server.stop() }
        let error = #expect(throws: HTTPError.self) {
            try HTTPClient(service: "test", metrics: MetricsRegistry()).send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/x"))
        }
        #expect(error?.kind == .transport)
    }

    @Test func redactionDropsCredentialsAndQueries() {
        #expect(HTTPClient.redact("https://user:secret@push.example:9091/metrics/job/x?token=abc") == "https://push.example:9091/metrics/job/x?…")
        #expect(HTTPClient.redact("http://h/p") == "http://h/p")
    }
}

@Suite struct HTTPRetryTests {
    @Test func retriesRateLimitsAndServerErrorsHonouringRetryAfter() throws {
        let calls = Mutex(0)
        let server = try HTTPClientTests.makeServer { _ in
            let call = calls.withLock {
                $0 += 1
                return $0
            }
            switch call {
            case 1: return HTTPServerResponse(status: 429, body: "slow down", headers: [("Retry-After", "1")])
            case 2: return HTTPServerResponse(status: 503, body: "busy")
            default: return HTTPServerResponse(status: 200, body: "fine")
            }
        }
        defer { server.stop() }
        let registry = MetricsRegistry()
        let started = ContinuousClock.now
        let response = try HTTPClient(service: "test", metrics: registry)
            .send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/"), retry: HTTPRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10)))
        #expect(response.status == 200)
        #expect(calls.withLock { $0 } == 3)
        #expect(ContinuousClock.now - started >= .seconds(1))
        let text = registry.render()
        #expect(text.contains(#"calworker_http_retries_total{service="test",reason="rate_limited"} 1"#))
        #expect(text.contains(#"calworker_http_retries_total{service="test",reason="server_error"} 1"#))
        #expect(text.contains(#"calworker_rate_limit_backoffs_total{service="test"} 1"#))
    }

    @Test func givesUpAfterMaxAttemptsWithTheLastResponse() throws {
        let calls = Mutex(0)
        let server = try HTTPClientTests.makeServer { _ in
            calls.withLock { $0 += 1 }
            return HTTPServerResponse(status: 502, body: "bad gateway")
        }
        defer { server.stop() }
        let response = try HTTPClient(service: "test", metrics: MetricsRegistry())
            .send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/"), retry: HTTPRetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1)))
        #expect(response.status == 502)
        #expect(calls.withLock { $0 } == 2)
    }

    @Test func clientErrorsAreNotRetried() throws {
        let calls = Mutex(0)
        let server = try HTTPClientTests.makeServer { _ in
            calls.withLock { $0 += 1 }
            return HTTPServerResponse(status: 400, body: "bad")
        }
        defer { server.stop() }
        _ = try HTTPClient(service: "test", metrics: MetricsRegistry())
            .send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/"), retry: HTTPRetryPolicy(maxAttempts: 5))
        #expect(calls.withLock { $0 } == 1)
    }

    @Test func retryAfterParsesSecondsAndDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(HTTPRetryPolicy.parseRetryAfter("120", now: now) == 120)
        #expect(HTTPRetryPolicy.parseRetryAfter("Tue, 14 Nov 2023 22:13:20 GMT", now: now) == 0)
        #expect(HTTPRetryPolicy.parseRetryAfter("Tue, 14 Nov 2023 22:14:20 GMT", now: now) == 60)
        #expect(HTTPRetryPolicy.parseRetryAfter("soon", now: now) == nil)
        #expect(HTTPRetryPolicy.parseRetryAfter("-5", now: now) == nil)
    }

    @Test func delaysGrowAndAreCapped() {
        let policy = HTTPRetryPolicy(maxAttempts: 10, baseDelay: .seconds(1), maxDelay: .seconds(4))
        for _ in 0..<50 {
            let first = policy.delay(afterAttempt: 1, retryAfter: nil)
            #expect(first >= .milliseconds(500) && first <= .seconds(1))
            #expect(policy.delay(afterAttempt: 8, retryAfter: nil) <= .seconds(4))
        }
        // maxDelay caps calworker's own backoff, not a server's wait: whether that one is slept
        // is AttemptWaits' decision (a snooze past a few seconds).
        #expect(policy.delay(afterAttempt: 1, retryAfter: "3600") == .seconds(3600))
    }
}
