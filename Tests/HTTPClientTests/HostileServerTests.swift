import Foundation
import HTTPClient
import HTTPServer
import Metrics
import Synchronization
import TestSupport
import Testing

/// Servers that answer what no server should: absurd `Retry-After`s, redirects to schemes
/// calworker does not follow, redirect loops, headers without end.
@Suite struct HostileServerTests {
    static func serve(_ handler: @escaping HTTPServer.Handler) throws -> HTTPServer {
        let server = try HTTPServer(address: "127.0.0.1:0", handler: handler)
        server.start()
        return server
    }

    @Test(arguments: ["9223372036854775807", "99999999999999999999999999", String(repeating: "9", count: 500), "3601"])
    func aRetryAfterPastAnHourIsAnHour(value: String) {
        #expect(HTTPRetryPolicy.parseRetryAfter(value) == HTTPRetryPolicy.longestRetryAfter)
        let policy = HTTPRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .seconds(30))
        #expect(policy.delay(afterAttempt: 1, retryAfter: value) == .seconds(3600))
    }

    @Test func aRetryAfterDateCenturiesAheadIsAnHourAndOnePastIsNow() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(HTTPRetryPolicy.parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now: now) == 3600)
        #expect(HTTPRetryPolicy.parseRetryAfter("Thu, 01 Jan 1970 00:00:00 GMT", now: now) == 0)
    }

    @Test func aServerAskingForAnAbsurdWaitIsToldToComeBackInAnHourWithoutCrashing() throws {
        let server = try ScriptedServer([
            ScriptedServer.busy(retryAfter: "9223372036854775807"), HTTPServerResponse(status: 200, body: "ok"),
        ])
        let client = HTTPClient(service: "test", metrics: MetricsRegistry())
        let error = try #require(throws: HTTPError.self) {
            try client.send(
                HTTPRequest(url: server.url + "/"), retry: HTTPRetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)))
        }
        #expect(error.kind == .retryLater && error.requestedWait == .seconds(3600))
        #expect(server.requests == 1)
    }

    @Test(arguments: ["file:///etc/passwd", "gopher://127.0.0.1/x", "ftp://127.0.0.1/x"])
    func aRedirectToAnotherSchemeIsAPermanentFailure(location: String) throws {
        let server = try Self.serve { _ in HTTPServerResponse(status: 302, body: "", headers: [("Location", location)]) }
        defer { server.stop() }
        var request = HTTPRequest(url: "http://127.0.0.1:\(server.port)/photo.jpg")
        request.maxRedirects = 5
        let error = try #require(throws: HTTPError.self) { try HTTPClient(service: "test", metrics: MetricsRegistry()).send(request) }
        #expect(error.kind == .invalidRequest && !error.isRetryable)
    }

    @Test func aRedirectLoopIsAPermanentFailureAfterTheLimit() throws {
        let calls = Mutex(0)
        let server = try Self.serve { request in
            calls.withLock { $0 += 1 }
            return HTTPServerResponse(status: 302, body: "", headers: [("Location", request.path == "/a" ? "/b" : "/a")])
        }
        defer { server.stop() }
        var request = HTTPRequest(url: "http://127.0.0.1:\(server.port)/a")
        request.maxRedirects = 5
        let error = try #require(throws: HTTPError.self) {
            try HTTPClient(service: "test", metrics: MetricsRegistry()).send(request, retry: HTTPRetryPolicy(maxAttempts: 3))
        }
        #expect(error.kind == .invalidRequest)
        // Followed five times, once: no retry of a loop that would loop again.
        #expect(calls.withLock { $0 } == 6)
    }

    @Test func headersWithoutEndAreCutOff() throws {
        let header = (name: "X-Filler", value: String(repeating: "h", count: 4000))
        let server = try Self.serve { _ in
            HTTPServerResponse(status: 200, body: "ok", headers: Array(repeating: header, count: 100))
        }
        defer { server.stop() }
        let error = try #require(throws: HTTPError.self) {
            try HTTPClient(service: "test", metrics: MetricsRegistry()).send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/"))
        }
        #expect(error.kind == .responseTooLarge)
    }

    @Test func anErrorBodyEchoingCredentialsIsCleanedInItsExcerpt() {
        let body = #"{"error":"bad","echo":"Authorization: Bearer ya29.leaked-in-excerpt","client_secret":"GOCSPX-leaked"}"#
        let excerpt = HTTPResponse(status: 401, body: Data(body.utf8)).bodyExcerpt()
        #expect(!excerpt.contains("ya29") && !excerpt.contains("GOCSPX"))
    }
}
