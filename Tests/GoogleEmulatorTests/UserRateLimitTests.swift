import Foundation
import GoogleEmulator
import HTTPClient
import Testing

@Suite struct UserRateLimitTests {
    @Test func requestsBeyondThePerUserLimitGet403UserRateLimitExceeded() throws {
        var options = EmulatorOptions()
        options.userRequestsPerMinute = 5
        let fixture = try EmulatorFixture(options: options)
        defer { fixture.stop() }
        for _ in 0..<5 { #expect(try fixture.api("users/me/calendarList").status == 200) }
        let refused = try fixture.api("users/me/calendarList")
        #expect(refused.status == 403)
        let body = try JSONSerialization.jsonObject(with: refused.body) as? [String: Any]
        let reason = ((body?["error"] as? [String: Any])?["errors"] as? [[String: Any]])?.first?["reason"] as? String
        #expect(reason == "userRateLimitExceeded")
    }

    @Test func theLimitIsOffByDefault() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        for _ in 0..<50 { #expect(try fixture.api("users/me/calendarList").status == 200) }
    }
}
