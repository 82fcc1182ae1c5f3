public import Crypto
public import Foundation
import Synchronization

/// Logged-in sessions as signed cookies: `ROLE.EXPIRY.ID.MAC`, the MAC an HMAC-SHA256 under a
/// key drawn at start, so the server keeps no session table and a restart logs everyone out.
/// Each session's CSRF token is derived from its id under the same key: a form posted from
/// another site carries neither the cookie (`SameSite=Strict`) nor the token.
public struct ConsoleSessions: Sendable {
    public static let cookieName = "cw_session"

    /// A logged-in session.
    public struct Session: Sendable, Equatable {
        public let role: ConsoleRole
        public let id: String
        public let expires: Date
    }

    private let key: [UInt8]
    /// Sessions logged out before they expired: their cookie no longer logs in, even replayed.
    private let revoked = Revoked()
    /// How long a login lasts.
    public let lifetime: TimeInterval

    public init(lifetime: TimeInterval = 12 * 3600) throws(CryptoError) {
        key = try Random.bytes(32)
        self.lifetime = lifetime
    }

    /// A new session's cookie value.
    public func issue(_ role: ConsoleRole, now: Date = Date()) throws(CryptoError) -> (value: String, session: Session) {
        let id = Digest.hex(try Random.bytes(16))
        let expires = Int64(now.addingTimeInterval(lifetime).timeIntervalSince1970)
        let body = "\(role.rawValue).\(expires).\(id)"
        return (body + "." + mac(body), Session(role: role, id: id, expires: Date(timeIntervalSince1970: TimeInterval(expires))))
    }

    /// The session a cookie value stands for; nil when it is malformed, forged or expired.
    public func verify(_ value: String, now: Date = Date()) -> Session? {
        guard value.utf8.count <= 256 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, let role = ConsoleRole(rawValue: parts[0]), let expires = Int64(parts[1]),
            parts[2].utf8.count == 32, parts[2].allSatisfy(\.isHexDigit)
        else { return nil }
        let body = parts[0...2].joined(separator: ".")
        guard Digest.constantTimeEquals(Array(mac(body).utf8), Array(parts[3].utf8)) else { return nil }
        let expiry = Date(timeIntervalSince1970: TimeInterval(expires))
        guard expiry > now, !revoked.contains(parts[2], now: now) else { return nil }
        return Session(role: role, id: parts[2], expires: expiry)
    }

    /// Logs a session out for good (until its expiry, after which its cookie fails anyway).
    public func revoke(_ session: Session) { revoked.insert(session.id, until: session.expires) }

    /// Logged-out session ids until their expiry; expired ones are dropped as others come.
    final class Revoked: Sendable {
        private let ids = Mutex<[String: Date]>([:])

        func insert(_ id: String, until expiry: Date) {
            ids.withLock { ids in
                let now = Date()
                ids = ids.filter { $0.value > now }
                ids[id] = expiry
            }
        }

        func contains(_ id: String, now: Date) -> Bool { ids.withLock { ($0[id].map { $0 > now }) ?? false } }
    }

    /// The token every form of `session` carries.
    public func csrfToken(for session: Session) -> String { mac("csrf." + session.id) }

    /// Whether a posted token is `session`'s, in constant time.
    public func checkCSRF(_ presented: String, for session: Session) -> Bool {
        Digest.constantTimeEquals(Array(csrfToken(for: session).utf8), Array(presented.utf8))
    }

    /// The `Set-Cookie` value: not readable by scripts, never sent from another site, and only
    /// over HTTPS when the console is served behind it.
    public func cookie(_ value: String, secure: Bool) -> String {
        "\(Self.cookieName)=\(value); Path=/; Max-Age=\(Int(lifetime)); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that logs out.
    public func expiredCookie(secure: Bool) -> String {
        "\(Self.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    private func mac(_ text: String) -> String { Digest.hex(Digest.hmacSHA256(key: key, Array(text.utf8))) }
}
