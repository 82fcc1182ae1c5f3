import Foundation
import GoogleEmulator
import HTTPClient
import Testing

/// Google's OAuth token endpoint: refresh grants, and its errors with Google's texts.
@Suite struct TokenEndpointTests {
    static let client = "client_id=calworker-test-client&client_secret=calworker-test-secret"

    @Test func aGoodRefreshTokenGetsAnAccessTokenThatWorks() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let response = try fixture.token("grant_type=refresh_token&refresh_token=rt-a&\(Self.client)")
        #expect(response.status == 200)
        let body = try EmulatorFixture.json(response)
        let accessToken = try #require(body["access_token"] as? String)
        #expect(body["expires_in"] as? Int == 3599)
        #expect(body["token_type"] as? String == "Bearer")
        #expect(body["scope"] as? String == "https://www.googleapis.com/auth/calendar")
        #expect(body["refresh_token"] == nil)
        #expect(try fixture.api("users/me/calendarList", token: accessToken).status == 200)
    }

    @Test func aRevokedRefreshTokenIsAnInvalidGrant() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        try fixture.emulator.revoke(account: EmulatorFixture.email)
        let response = try fixture.token("grant_type=refresh_token&refresh_token=rt-a&\(Self.client)")
        #expect(response.status == 400)
        let body = try EmulatorFixture.json(response)
        #expect(body["error"] as? String == "invalid_grant")
        #expect(body["error_description"] as? String == "Token has been expired or revoked.")
        // Revocation ends the access tokens too.
        #expect(try fixture.api("users/me/calendarList").status == 401)
    }

    @Test func anUnknownRefreshTokenIsAnInvalidGrant() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let response = try fixture.token("grant_type=refresh_token&refresh_token=nope&\(Self.client)")
        #expect(response.status == 400)
        #expect(try EmulatorFixture.json(response)["error"] as? String == "invalid_grant")
    }

    @Test func aWrongClientIsAnInvalidClient() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let response = try fixture.token("grant_type=refresh_token&refresh_token=rt-a&client_id=other&client_secret=calworker-test-secret")
        #expect(response.status == 401)
        let body = try EmulatorFixture.json(response)
        #expect(body["error"] as? String == "invalid_client")
        #expect(body["error_description"] as? String == "The OAuth client was not found.")
        let wrongSecret = try fixture.token("grant_type=refresh_token&refresh_token=rt-a&client_id=calworker-test-client&client_secret=x")
        #expect(wrongSecret.status == 401)
    }

    @Test func clientCredentialsMayComeAsBasicAuth() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let basic = Data("calworker-test-client:calworker-test-secret".utf8).base64EncodedString()
        let response = try fixture.client.send(
            HTTPRequest(
                method: "POST", url: fixture.emulator.tokenURL,
                headers: [HTTPHeader("Authorization", "Basic \(basic)")],
                body: Data("grant_type=refresh_token&refresh_token=rt-a".utf8)))
        #expect(response.status == 200)
    }

    @Test func anUnsupportedGrantTypeIsRefused() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let response = try fixture.token("grant_type=password&\(Self.client)")
        #expect(response.status == 400)
        #expect(try EmulatorFixture.json(response)["error"] as? String == "unsupported_grant_type")
    }

    @Test func rotationHandsOutANewRefreshTokenThatWorks() throws {
        let fixture = try EmulatorFixture(options: EmulatorOptions(rotateRefreshTokens: true))
        defer { fixture.stop() }
        let first = try EmulatorFixture.json(fixture.token("grant_type=refresh_token&refresh_token=rt-a&\(Self.client)"))
        let rotated = try #require(first["refresh_token"] as? String)
        #expect(rotated != "rt-a")
        let second = try fixture.token("grant_type=refresh_token&refresh_token=\(rotated)&\(Self.client)")
        #expect(second.status == 200)
    }
}
