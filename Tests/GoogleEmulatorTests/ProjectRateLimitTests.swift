import Foundation
import GoogleEmulator
import HTTPClient
import Testing

/// Google's per-project quota: all accounts' requests together, in a sliding minute.
@Suite struct ProjectRateLimitTests {
    @Test func requestsBeyondTheProjectLimitFromAnyAccountGet403RateLimitExceeded() throws {
        var options = EmulatorOptions()
        options.projectRequestsPerMinute = 6
        let fixture = try EmulatorFixture(options: options)
        defer { fixture.stop() }
        try fixture.emulator.addCalendar(account: "b@example.com", id: "b@example.com", primary: true)
        let other = try fixture.emulator.issueAccessToken(account: "b@example.com")
        for _ in 0..<3 {
            #expect(try fixture.api("users/me/calendarList").status == 200)
            #expect(try fixture.api("users/me/calendarList", token: other).status == 200)
        }
        let refused = try fixture.api("users/me/calendarList", token: other)
        #expect(refused.status == 403)
        #expect(EmulatorFixture.reason(refused) == "rateLimitExceeded")
        let error = try EmulatorFixture.json(refused)["error"] as? [String: Any]
        #expect(error?["message"] as? String == "Rate Limit Exceeded")
        #expect(((error?["errors"] as? [[String: Any]])?.first?["domain"]) as? String == "usageLimits")
        // Refused requests count too: the first account is refused as well.
        #expect(try fixture.api("users/me/calendarList").status == 403)
        #expect(fixture.emulator.requestCount(route: "users/me/calendarList", status: 403) == 2)
    }

    @Test func theLimitIsOffByDefaultAndSettableOverAdmin() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        for _ in 0..<30 { #expect(try fixture.api("users/me/calendarList").status == 200) }
        let answer = try EmulatorFixture.json(fixture.admin("POST", "options", json: ["projectRequestsPerMinute": 1]))
        #expect(answer["projectRequestsPerMinute"] as? Int == 1)
        #expect(try fixture.admin("POST", "options", json: ["projectRequestsPerMinute": -1]).status == 400)
        #expect(try fixture.api("users/me/calendarList").status == 200)
        #expect(try fixture.api("users/me/calendarList").status == 403)
    }
}
