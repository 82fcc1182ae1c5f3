import Foundation
import HTTPServer
import Synchronization

/// Google's OAuth 2.0 token endpoint, refresh-token grant only (calworker never sees an
/// authorization code: accounts are connected elsewhere).
///
/// Errors are OAuth's (RFC 6749 §5.2) with Google's texts: `invalid_client` 401 for a wrong
/// client, `invalid_grant` 400 for an unknown or revoked refresh token.
extension EmulatorCore {
    static let scope = "https://www.googleapis.com/auth/calendar"

    func handleToken(_ request: HTTPServerRequest) -> Reply {
        let form = QueryParameters(String(decoding: request.body, as: UTF8.self))
        return state.withLock { state in
            let reply = Self.withFaults(&state, tokenEndpoint: true) { state in
                self.refresh(request, form: form, state: &state)
            }
            Self.record(&state, method: request.method, route: "/token", reply: reply)
            return reply
        }
    }

    private func refresh(_ request: HTTPServerRequest, form: QueryParameters, state: inout EmulatorState) -> Reply {
        guard request.method == "POST" else { return Self.oauthError(405, "invalid_request", "Use POST.") }
        var client = (id: form.first("client_id"), secret: form.first("client_secret"))
        if let header = request.header("Authorization"), header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        {
            client = (
                QueryParameters.decode(text[..<colon], plusIsSpace: false),
                QueryParameters.decode(text[text.index(after: colon)...], plusIsSpace: false)
            )
        }
        guard client.id == clientID else { return Self.oauthError(401, "invalid_client", "The OAuth client was not found.") }
        guard client.secret == clientSecret else { return Self.oauthError(401, "invalid_client", "Unauthorized") }
        switch form.first("grant_type") {
        case nil:
            return Self.oauthError(400, "invalid_request", "Missing required parameter: grant_type")
        case "refresh_token":
            break
        case "authorization_code":
            return Self.oauthError(400, "invalid_grant", "Malformed auth code.")
        case let other?:
            return Self.oauthError(400, "unsupported_grant_type", "Invalid grant_type: \(other)")
        }
        guard let refreshToken = form.first("refresh_token"), !refreshToken.isEmpty else {
            return Self.oauthError(400, "invalid_request", "Missing required parameter: refresh_token")
        }
        guard let grant = state.refreshTokens[refreshToken], !grant.revoked else {
            return Self.oauthError(400, "invalid_grant", "Token has been expired or revoked.")
        }
        let accessToken = state.issueAccessToken(for: grant.email)
        var body: [String: JSONValue] = [
            "access_token": .string(accessToken), "expires_in": .int(Int64(state.options.accessTokenLifetime)),
            "token_type": .string("Bearer"), "scope": .string(Self.scope),
        ]
        if state.options.rotateRefreshTokens {
            let rotated = "1//emu-" + EventID.random() + EventID.random()
            state.addRefreshToken(rotated, for: grant.email)
            body["refresh_token"] = .string(rotated)
        }
        return Reply(body: .object(body))
    }

    static func oauthError(_ status: Int, _ error: String, _ description: String) -> Reply {
        Reply(status: status, body: .object(["error": .string(error), "error_description": .string(description)]))
    }
}

extension EmulatorState {
    /// A new access token for the account, valid for `options.accessTokenLifetime` seconds.
    mutating func issueAccessToken(for email: String) -> String {
        let token = "ya29.emu-" + EventID.random() + EventID.random()
        accessTokens[token] = AccessToken(email: email, expires: now().addingTimeInterval(Double(options.accessTokenLifetime)))
        return token
    }

    /// Ends access tokens now (all, or one account's): the next API call gets 401.
    mutating func expireAccessTokens(account: String?) {
        if let account {
            accessTokens = accessTokens.filter { $0.value.email != account }
        } else {
            accessTokens.removeAll()
        }
    }

    /// The user revoked calworker's access: refresh tokens give `invalid_grant`, and access
    /// tokens stop working too, as Google revokes both.
    mutating func revoke(account: String) throws(GoogleAPIError) {
        guard accounts[account] != nil else { throw .notFound }
        for (token, grant) in refreshTokens where grant.email == account { refreshTokens[token]?.revoked = true }
        expireAccessTokens(account: account)
    }
}
