import Foundation
import GoogleEmulator
import HTTPClient
import Testing

/// Every API call needs a live access token of the account, and reaches only its calendars.
@Suite struct AuthenticationTests {
    static func expectUnauthenticated(_ response: HTTPResponse) throws {
        #expect(response.status == 401)
        let error = try #require(try EmulatorFixture.json(response)["error"] as? [String: Any])
        #expect(error["code"] as? Int == 401)
        #expect(error["status"] as? String == "UNAUTHENTICATED")
        #expect((error["message"] as? String)?.hasPrefix("Request had invalid authentication credentials.") == true)
        let item = try #require((error["errors"] as? [[String: Any]])?.first)
        #expect(item["reason"] as? String == "authError")
        #expect(item["domain"] as? String == "global")
        #expect(item["message"] as? String == "Invalid Credentials")
        #expect(item["location"] as? String == "Authorization")
        #expect(item["locationType"] as? String == "header")
    }

    @Test func withoutATokenTheAnswerIs401() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        try Self.expectUnauthenticated(fixture.api("users/me/calendarList", token: ""))
        try Self.expectUnauthenticated(fixture.api("\(EmulatorFixture.calendarPath)/events", token: "ya29.made-up"))
    }

    @Test func anExpiredTokenIs401UntilRefreshed() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        #expect(try fixture.api("users/me/calendarList").status == 200)
        fixture.emulator.expireAccessTokens()
        try Self.expectUnauthenticated(fixture.api("users/me/calendarList"))
        let refreshed = try EmulatorFixture.json(fixture.token("grant_type=refresh_token&refresh_token=rt-a&\(TokenEndpointTests.client)"))
        #expect(try fixture.api("users/me/calendarList", token: refreshed["access_token"] as? String).status == 200)
    }

    @Test func aShortLifetimeExpiresByItself() throws {
        let fixture = try EmulatorFixture(options: EmulatorOptions(accessTokenLifetime: 1))
        defer { fixture.stop() }
        #expect(try fixture.api("users/me/calendarList").status == 200)
        Thread.sleep(forTimeInterval: 1.2)
        #expect(try fixture.api("users/me/calendarList").status == 401)
    }

    @Test func anotherAccountsCalendarIsNotFound() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        try fixture.emulator.addCalendar(account: "b@example.com", id: "b@example.com", primary: true)
        let response = try fixture.api("calendars/b%40example.com/events")
        #expect(response.status == 404)
        #expect(EmulatorFixture.reason(response) == "notFound")
        // The same calendar, once shared with a, is visible.
        try fixture.emulator.addCalendar(account: EmulatorFixture.email, id: "b@example.com", accessRole: "reader")
        #expect(try fixture.api("calendars/b%40example.com/events").status == 200)
        let insert = try fixture.api("POST", "calendars/b%40example.com/events", json: EmulatorFixture.timedEvent())
        #expect(insert.status == 403)
        #expect(EmulatorFixture.reason(insert) == "requiredAccessLevel")
    }

    @Test func primaryNamesTheAccountsPrimaryCalendar() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let response = try fixture.api("calendars/primary")
        #expect(response.status == 200)
        #expect(try EmulatorFixture.json(response)["id"] as? String == EmulatorFixture.email)
    }
}
