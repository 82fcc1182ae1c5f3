import Crypto
import Foundation
public import Postgres

/// What a CalDAV account is reached with. Its description hides the password, so printing or
/// logging one by mistake shows nothing secret.
public struct CalDAVCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var url: String
    public var username: String
    public var password: String

    public var description: String { "CalDAVCredentials(\(url), \(username), password ****)" }
    public var debugDescription: String { description }
}

extension AccountStore {
    static let passwordContext = "caldav_password"

    /// Connects a CalDAV account with the app password its user made for calworker. The
    /// password is sealed like a refresh token; the caller checked the URL finds calendars.
    public func addCalDAV(
        email: String, owner: String?, url: String, username: String, password: String, on db: PostgresConnection
    ) throws -> Account {
        let cipher = try requireCipher()
        let trimmedEmail = email.trimmingCharacters(in: .whitespaces)
        guard trimmedEmail.contains("@"), !trimmedEmail.contains(where: \.isWhitespace) else {
            throw AccountError(.invalid, "'\(email)' is not an e-mail address (give --email)")
        }
        guard url.hasPrefix("https://") || url.hasPrefix("http://"), url.utf8.count <= 2048, !url.contains(where: \.isWhitespace) else {
            throw AccountError(.invalid, "'\(url.prefix(200))' is not an http(s) URL")
        }
        guard (1...512).contains(username.utf8.count), !username.contains(where: \.isNewline) else {
            throw AccountError(.invalid, "the user name is empty, longer than 512 bytes or spans several lines")
        }
        guard !password.isEmpty, !password.contains(where: \.isNewline) else {
            throw AccountError(.invalid, "the password is empty or spans several lines")
        }
        do {
            return try db.transaction { db in
                // The id is part of the ciphertext's authenticated context, so insert first.
                let id = try db.query(
                    """
                    INSERT INTO calworker.accounts (email, owner, key_id, refresh_token, provider, caldav_url, caldav_username)
                    VALUES ($1, $2, $3, '\\x'::bytea, 'caldav', $4, $5) RETURNING id
                    """, [trimmedEmail, owner ?? trimmedEmail, cipher.current.id, url, username])[0].decode(Int64.self, at: 0)
                let sealed = try cipher.seal(password, context: Self.context(id, Self.passwordContext))
                try db.execute("UPDATE calworker.accounts SET refresh_token = $2::bytea WHERE id = $1", [id, Self.hex(sealed.ciphertext)])
                return try Self.decode(db.query("SELECT \(Self.columns) FROM calworker.accounts WHERE id = $1", [id])[0])
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            throw AccountError(.duplicate, "an account for \(trimmedEmail) already exists")
        }
    }

    /// A CalDAV account's URL, user name and decrypted password.
    public func calDAVCredentials(id: Int64, on db: PostgresConnection) throws -> CalDAVCredentials {
        let cipher = try requireCipher()
        guard
            let row = try db.query(
                "SELECT key_id, encode(refresh_token, 'hex'), caldav_url, caldav_username FROM calworker.accounts WHERE id = $1 AND provider = 'caldav'",
                [id]
            ).first
        else { throw AccountError(.notFound, "no CalDAV account \(id)") }
        let password = try cipher.open(
            Self.bytes(fromHex: try row.decode(at: 1)), keyID: try row.decode(at: 0), context: Self.context(id, Self.passwordContext))
        return CalDAVCredentials(url: try row.decode(at: 2), username: try row.decode(at: 3), password: password)
    }

    /// Seals a CalDAV account's password under the current key (a key rotation, a new password).
    public func savePassword(id: Int64, _ password: String, on db: PostgresConnection) throws {
        let cipher = try requireCipher()
        let sealed = try cipher.seal(password, context: Self.context(id, Self.passwordContext))
        try db.execute(
            "UPDATE calworker.accounts SET key_id = $2, refresh_token = $3::bytea, updated_at = now() WHERE id = $1 AND provider = 'caldav'",
            [id, cipher.current.id, Self.hex(sealed.ciphertext)])
    }
}
