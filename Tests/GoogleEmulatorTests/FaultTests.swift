import Foundation
import GoogleEmulator
import HTTPClient
import Testing

/// Injected failures answer exactly as Google's do, only on API routes unless asked, and
/// repeat for a seed.
@Suite struct FaultTests {
    static func error(_ response: HTTPResponse) throws -> (error: [String: Any], item: [String: Any]) {
        let error = try #require(try EmulatorFixture.json(response)["error"] as? [String: Any])
        let item = try #require((error["errors"] as? [[String: Any]])?.first)
        return (error, item)
    }

    @Test func theNext429CarriesRetryAfterAndThenItPasses() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        fixture.emulator.failNext(.rateLimit429)
        let limited = try fixture.api("users/me/calendarList")
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") == "1")
        let (error, item) = try Self.error(limited)
        #expect(error["code"] as? Int == 429)
        #expect(item["domain"] as? String == "usageLimits")
        #expect(item["reason"] as? String == "rateLimitExceeded")
        #expect(try fixture.api("users/me/calendarList").status == 200)
    }

    @Test(arguments: [
        (FaultKind.rateLimit403, 403, "rateLimitExceeded", "Rate Limit Exceeded"),
        (.userRateLimit403, 403, "userRateLimitExceeded", "User Rate Limit Exceeded"),
        (.quotaExceeded, 403, "quotaExceeded", "Calendar usage limits exceeded."),
        (.serverError, 500, "backendError", "Backend Error"),
        (.serviceUnavailable, 503, "backendError", "The service is currently unavailable."),
    ])
    func eachKindAnswersLikeGoogle(kind: FaultKind, status: Int, reason: String, message: String) throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        fixture.emulator.failNext(kind)
        let response = try fixture.api("\(EmulatorFixture.calendarPath)/events")
        #expect(response.status == status)
        let (error, item) = try Self.error(response)
        #expect(error["code"] as? Int == status)
        #expect(error["message"] as? String == message)
        #expect(item["reason"] as? String == reason)
        #expect(item["message"] as? String == message)
        #expect(item["domain"] as? String == (status == 403 ? "usageLimits" : "global"))
    }

    @Test func aDroppedConnectionIsATransportError() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        fixture.emulator.failNext(.drop)
        let error = #expect(throws: HTTPError.self) { try fixture.api("users/me/calendarList") }
        #expect(error?.kind == .transport)
        #expect(try fixture.api("users/me/calendarList").status == 200)
        #expect(fixture.emulator.requestCount(route: "users/me/calendarList", status: 0) == 1)
    }

    @Test func aDropAfterApplyLosesTheAnswerButNotTheWrite() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        fixture.emulator.failNext(.dropAfterApply)
        let path = "\(EmulatorFixture.calendarPath)/events"
        let error = #expect(throws: HTTPError.self) { try fixture.api("POST", path, json: EmulatorFixture.timedEvent(id: "applied01")) }
        #expect(error?.kind == .transport)
        let retry = try fixture.api("POST", path, json: EmulatorFixture.timedEvent(id: "applied01"))
        #expect(retry.status == 409, "\(retry.status) \(retry.bodyExcerpt())")
    }

    @Test func faultsSpareTheTokenEndpointUnlessAsked() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        fixture.emulator.setFaults(rate: 1, kinds: [.serverError])
        #expect(try fixture.token("grant_type=refresh_token&refresh_token=rt-a&\(TokenEndpointTests.client)").status == 200)
        #expect(try fixture.admin("GET", "state").status == 200)
        #expect(try fixture.api("users/me/calendarList").status == 500)
        fixture.emulator.setFaults(rate: 1, kinds: [.serverError], includeTokenEndpoint: true)
        #expect(try fixture.token("grant_type=refresh_token&refresh_token=rt-a&\(TokenEndpointTests.client)").status == 500)
        fixture.emulator.clearFaults()
        #expect(try fixture.api("users/me/calendarList").status == 200)
    }

    @Test func aSeededRateRepeatsItself() throws {
        func statuses() throws -> [Int] {
            let fixture = try EmulatorFixture()
            defer { fixture.stop() }
            fixture.emulator.setFaults(rate: 0.5, kinds: [.rateLimit403, .serverError], seed: 42)
            return try (0..<30).map { _ in try fixture.api("users/me/calendarList").status }
        }
        let first = try statuses()
        #expect(first == (try statuses()))
        #expect(first.contains(200))
        #expect(first.contains { $0 != 200 })
        #expect(Set(first).isSubset(of: [200, 403, 500]))
    }

    @Test func faultsCanBeQueuedOverHTTP() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let set = try fixture.admin("POST", "faults", json: ["next": [["kind": "serverError", "count": 2], ["kind": "rateLimit429", "count": 1]]])
        #expect(set.status == 200)
        let statuses = try (0..<4).map { _ in try fixture.api("users/me/calendarList").status }
        #expect(statuses == [500, 500, 429, 200])
        #expect(try fixture.admin("POST", "faults", json: ["rate": 1.0, "kinds": ["quotaExceeded"], "seed": 1]).status == 200)
        #expect(try fixture.api("users/me/calendarList").status == 403)
        #expect(try fixture.admin("DELETE", "faults").status == 200)
        #expect(try fixture.api("users/me/calendarList").status == 200)
        #expect(try fixture.admin("POST", "faults", json: ["next": [["kind": "meteorStrike"]]]).status == 400)
    }
}
