import Console
import Foundation
import Testing

/// Logins, sessions and CSRF tokens: what the console trusts.
@Suite struct ConsoleSessionsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aSessionRoundTripsAndCarriesItsRole() throws {
        let sessions = try ConsoleSessions()
        let (value, session) = try sessions.issue(.readOnly, now: now)
        #expect(sessions.verify(value, now: now) == session)
        #expect(session.role == .readOnly && !session.role.mayAct)
        #expect(sessions.verify(value, now: now.addingTimeInterval(sessions.lifetime + 1)) == nil, "expired")
    }

    @Test func aForgedOrTamperedCookieIsRefused() throws {
        let sessions = try ConsoleSessions()
        let (value, _) = try sessions.issue(.readOnly, now: now)
        let promoted = value.replacingOccurrences(of: "read-only.", with: "operator.")
        #expect(sessions.verify(promoted, now: now) == nil, "a read-only session cannot make itself an operator")
        var parts = value.split(separator: ".").map(String.init)
        parts[1] = String(Int64(parts[1])! + 86_400)
        #expect(sessions.verify(parts.joined(separator: "."), now: now) == nil, "nor live longer")
        #expect(try ConsoleSessions().verify(value, now: now) == nil, "another process's key (a restart) logs out")
        for junk in [
            "", "operator", "operator.1.2.3", String(repeating: "a", count: 10_000), "operator.9999999999.\(String(repeating: "z", count: 32)).00",
        ] {
            #expect(sessions.verify(junk, now: now) == nil)
        }
    }

    @Test func theCSRFTokenIsTheSessionsOwn() throws {
        let sessions = try ConsoleSessions()
        let (_, first) = try sessions.issue(.operator, now: now)
        let (_, second) = try sessions.issue(.operator, now: now)
        let token = sessions.csrfToken(for: first)
        #expect(sessions.checkCSRF(token, for: first))
        #expect(!sessions.checkCSRF(token, for: second), "another session's token")
        #expect(!sessions.checkCSRF("", for: first) && !sessions.checkCSRF(String(token.dropLast()), for: first))
    }

    @Test func theCookieIsHttpOnlyStrictAndSecureBehindHTTPS() throws {
        let sessions = try ConsoleSessions()
        let plain = sessions.cookie("v", secure: false)
        #expect(plain.contains("HttpOnly") && plain.contains("SameSite=Strict") && !plain.contains("Secure"))
        #expect(sessions.cookie("v", secure: true).hasSuffix("; Secure"))
        #expect(sessions.expiredCookie(secure: false).contains("Max-Age=0"))
    }

    @Test func tokensLogInAsTheirRoleAndNothingElseDoes() throws {
        let tokens = try ConsoleTokens(operatorToken: "operator-token-0123456789", readOnlyToken: "reader-token-0123456789")
        #expect(tokens.role(for: "operator-token-0123456789") == .operator)
        #expect(tokens.role(for: "reader-token-0123456789") == .readOnly)
        #expect(tokens.role(for: "operator-token-012345678") == nil && tokens.role(for: "") == nil)
        #expect(throws: ConsoleError.self) { try ConsoleTokens(operatorToken: "") }
        #expect(throws: ConsoleError.self) { try ConsoleTokens(operatorToken: "short") }
        #expect(throws: ConsoleError.self) { try ConsoleTokens(operatorToken: "same-token-0123456789", readOnlyToken: "same-token-0123456789") }
        let readerOnly = try ConsoleTokens(operatorToken: "", readOnlyToken: "reader-token-0123456789")
        #expect(readerOnly.role(for: "") == nil, "no operator token: an empty one logs in as nobody")
    }

    @Test func repeatedFailuresAreSlowedDownAndASuccessClearsThem() {
        let throttle = LoginThrottle(free: 3, maxDelay: 60, capacity: 2)
        for _ in 0..<3 { throttle.recordFailure(for: "10.0.0.1", now: now) }
        #expect(throttle.wait(for: "10.0.0.1", now: now) == 1)
        for _ in 0..<10 { throttle.recordFailure(for: "10.0.0.1", now: now) }
        #expect(throttle.wait(for: "10.0.0.1", now: now) == 60, "capped")
        #expect(throttle.wait(for: "10.0.0.1", now: now.addingTimeInterval(61)) == 0)
        #expect(throttle.wait(for: "10.0.0.2", now: now) == 0, "clients are apart")
        throttle.recordSuccess(for: "10.0.0.1")
        #expect(throttle.wait(for: "10.0.0.1", now: now) == 0)
        for client in ["a", "b", "c"] { for _ in 0..<5 { throttle.recordFailure(for: client, now: now) } }
        #expect(throttle.wait(for: "c", now: now) > 0, "bounded: the oldest are forgotten, the newest kept")
    }

    @Test func everyResponseForbidsInlineScriptAndFraming() {
        let headers = Dictionary(uniqueKeysWithValues: SecurityHeaders.all)
        let policy = headers["Content-Security-Policy"] ?? ""
        #expect(policy.hasPrefix("default-src 'self'") && !policy.contains("unsafe-inline") && policy.contains("frame-ancestors 'none'"))
        #expect(headers["X-Content-Type-Options"] == "nosniff" && headers["Cache-Control"] == "no-store")
    }
}
