public import Crypto
public import Foundation
public import Postgres
import Redaction

/// Accounts in `calworker.accounts`, with their tokens encrypted on the way in and decrypted
/// on the way out. Every statement binds its parameters; tokens only ever travel as
/// ciphertext (hex-encoded bytea) between this process and PostgreSQL.
public struct AccountStore: Sendable {
    /// Nil when no `CALWORKER_TOKEN_KEY` is configured: reading accounts works, anything that
    /// needs a token says how to set the key.
    public let cipher: TokenCipher?

    public init(cipher: TokenCipher?) { self.cipher = cipher }

    static let columns = """
        id, email, owner, state, key_id, access_token IS NOT NULL, access_token_expires_at, paused_until,
        last_synced_at, last_error, created_at, consecutive_failures, provider
        """
    /// How many columns `columns` names: a query may add its own after them.
    static let columnCount = 13

    static func decode(_ row: PostgresRow) throws -> Account {
        guard let state = Account.State(rawValue: try row.decode(String.self, at: 3)) else {
            throw PostgresError(.decoding, "unknown account state \(row.text(3) ?? "")")
        }
        return Account(
            id: try row.decode(at: 0), email: try row.decode(at: 1), owner: try row.decode(at: 2), state: state,
            keyID: try row.decode(at: 4), hasAccessToken: try row.decode(at: 5),
            accessTokenExpiresAt: try row.decodeOptional(at: 6), pausedUntil: try row.decodeOptional(at: 7),
            lastSyncedAt: try row.decodeOptional(at: 8), lastError: try row.decodeOptional(at: 9),
            createdAt: try row.decode(at: 10), consecutiveFailures: try row.decode(at: 11), provider: try row.decode(at: 12))
    }

    func requireCipher() throws(AccountError) -> TokenCipher {
        guard let cipher else {
            throw AccountError(
                .noKey, "CALWORKER_TOKEN_KEY is not set: tokens cannot be encrypted or read (make a key with: openssl rand -base64 32)")
        }
        return cipher
    }

    static func context(_ id: Int64, _ field: String) -> String { "account/\(id)/\(field)" }

    static func hex(_ bytes: [UInt8]) -> String { "\\x" + Digest.hex(bytes) }

    static func bytes(fromHex text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var index = text.startIndex
        while index < text.endIndex, let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) {
            if let byte = UInt8(text[index..<next], radix: 16) { bytes.append(byte) }
            index = next
        }
        return bytes
    }

    /// Connects an account with the refresh token the platform's consent flow obtained.
    public func add(email: String, owner: String?, refreshToken: String, on db: PostgresConnection) throws -> Account {
        let cipher = try requireCipher()
        let trimmedEmail = email.trimmingCharacters(in: .whitespaces)
        guard trimmedEmail.contains("@"), !trimmedEmail.contains(where: \.isWhitespace) else {
            throw AccountError(.invalid, "'\(email)' is not an e-mail address")
        }
        guard !refreshToken.isEmpty, !refreshToken.contains(where: \.isNewline) else {
            throw AccountError(.invalid, "the refresh token is empty or spans several lines")
        }
        do {
            return try db.transaction { db in
                // The id is part of the ciphertext's authenticated context, so insert first.
                let id = try db.query(
                    """
                    INSERT INTO calworker.accounts (email, owner, key_id, refresh_token) VALUES ($1, $2, $3, '\\x'::bytea) RETURNING id
                    """, [trimmedEmail, owner ?? trimmedEmail, cipher.current.id])[0].decode(Int64.self, at: 0)
                let sealed = try cipher.seal(refreshToken, context: Self.context(id, "refresh_token"))
                try db.execute("UPDATE calworker.accounts SET refresh_token = $2::bytea WHERE id = $1", [id, Self.hex(sealed.ciphertext)])
                return try Self.decode(db.query("SELECT \(Self.columns) FROM calworker.accounts WHERE id = $1", [id])[0])
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            throw AccountError(.duplicate, "an account for \(trimmedEmail) already exists")
        }
    }

    public func list(on db: PostgresConnection) throws -> [Account] {
        try db.query("SELECT \(Self.columns) FROM calworker.accounts ORDER BY id").map(Self.decode)
    }

    /// Accounts an operator should look at, worst first: those needing re-authorization, those
    /// whose last `failures` syncs or more failed, and active ones not synced for `stale` (or
    /// never); at most `limit`, with how many there are in all.
    public func needingAttention(failures: Int, stale: Duration, limit: Int, on db: PostgresConnection) throws -> (accounts: [Account], total: Int) {
        let rows = try db.query(
            """
            SELECT \(Self.columns), count(*) OVER () FROM calworker.accounts
             WHERE state = 'needs_reauth' OR consecutive_failures >= $1
                OR (state = 'active' AND (last_synced_at IS NULL OR last_synced_at < now() - $2::interval))
             ORDER BY state = 'needs_reauth' DESC, consecutive_failures DESC, last_synced_at NULLS FIRST, id
             LIMIT $3
            """, [failures, stale, limit])
        return (try rows.map(Self.decode), try rows.first?.decode(Int.self, at: Self.columnCount) ?? 0)
    }

    public func account(id: Int64, on db: PostgresConnection) throws -> Account {
        guard let row = try db.query("SELECT \(Self.columns) FROM calworker.accounts WHERE id = $1", [id]).first else {
            throw AccountError(.notFound, "no account with id \(id) (see: calworker accounts list)")
        }
        return try Self.decode(row)
    }

    /// The owner (sync group) of an account; nil when there is no such account.
    public func owner(of id: Int64, on db: PostgresConnection) throws -> String? {
        try db.query("SELECT owner FROM calworker.accounts WHERE id = $1", [id]).first?.decode(at: 0)
    }

    /// The owner's first account that is not disabled (its group's sync runs from it); nil
    /// when the owner has none.
    public func firstEnabledID(owner: String, on db: PostgresConnection) throws -> Int64? {
        try db.query("SELECT id FROM calworker.accounts WHERE owner = $1 AND state <> 'disabled' ORDER BY id LIMIT 1", [owner])
            .first?.decode(Int64.self, at: 0)
    }

    /// Accounts a worker would sync (for warnings about a missing token key).
    public func activeCount(on db: PostgresConnection) throws -> Int {
        try db.query("SELECT count(*) FROM calworker.accounts WHERE state = 'active'")[0].decode(at: 0)
    }

    /// A new refresh token for an account (marked `needs_reauth`, say): stored encrypted, the
    /// account active again, its pause and last error cleared, all at once.
    public func reconnect(id: Int64, refreshToken: String, on db: PostgresConnection) throws {
        try db.transaction { db in
            try saveTokens(id: id, AccountTokens(refreshToken: refreshToken), on: db)
            try setState(id: id, .active, on: db)
            try db.execute("UPDATE calworker.accounts SET paused_until = NULL, last_error = NULL WHERE id = $1", [id])
        }
    }

    /// Active accounts not paused: what `sync_account {"account_id": "all"}` fans out over.
    public func syncableIDs(on db: PostgresConnection) throws -> [Int64] {
        try db.query(
            """
            SELECT id FROM calworker.accounts WHERE state = 'active' AND (paused_until IS NULL OR paused_until <= now()) ORDER BY id
            """
        ).map { try $0.decode(Int64.self, at: 0) }
    }

    public func setState(id: Int64, _ state: Account.State, error: String? = nil, on db: PostgresConnection) throws {
        let changed = try db.execute(
            """
            UPDATE calworker.accounts SET state = $2, last_error = coalesce($3, last_error), updated_at = now() WHERE id = $1
            """, [id, state.rawValue, error.map(Self.storable)])
        if changed == 0 { throw AccountError(.notFound, "no account with id \(id)") }
    }

    /// Google said the account's quota is spent: no sync before `until`.
    public func pause(id: Int64, until: Date, reason: String, on db: PostgresConnection) throws {
        try db.execute(
            "UPDATE calworker.accounts SET paused_until = $2, last_error = $3, updated_at = now() WHERE id = $1",
            [id, until, Self.storable(reason)])
    }

    /// Records how a sync ended: its time when it succeeded (and as the last full sync when
    /// it covered the whole account, not one notified calendar), and its error or none; a
    /// failure adds one to the failures in a row, a success sets them back to none.
    public func recordSync(id: Int64, error: String?, full: Bool = true, on db: PostgresConnection) throws {
        try db.execute(
            """
            UPDATE calworker.accounts SET last_synced_at = CASE WHEN $2::text IS NULL THEN now() ELSE last_synced_at END,
                   last_full_sync_at = CASE WHEN $2::text IS NULL AND $3 THEN now() ELSE last_full_sync_at END,
                   consecutive_failures = CASE WHEN $2::text IS NULL THEN 0 ELSE least(consecutive_failures, 1000000) + 1 END,
                   last_error = $2, updated_at = now() WHERE id = $1
            """, [id, error.map(Self.storable), full])
    }

    /// An error as `last_error` keeps it: without secrets (Google's answers can echo tokens)
    /// and at most 2,000 characters.
    static func storable(_ error: String) -> String { Redactor.clean(error, limit: 2000) }

    /// The account's tokens, decrypted.
    public func tokens(id: Int64, on db: PostgresConnection) throws -> AccountTokens {
        let cipher = try requireCipher()
        guard
            let row = try db.query(
                """
                SELECT key_id, encode(refresh_token, 'hex'), encode(access_token, 'hex'), access_token_expires_at
                  FROM calworker.accounts WHERE id = $1
                """, [id]
            ).first
        else {
            throw AccountError(.notFound, "no account with id \(id)")
        }
        let keyID: String = try row.decode(at: 0)
        let refresh = try cipher.open(Self.bytes(fromHex: try row.decode(at: 1)), keyID: keyID, context: Self.context(id, "refresh_token"))
        var tokens = AccountTokens(refreshToken: refresh)
        if let access: String = try row.decodeOptional(at: 2) {
            tokens.accessToken = try cipher.open(Self.bytes(fromHex: access), keyID: keyID, context: Self.context(id, "access_token"))
            tokens.accessTokenExpiresAt = try row.decodeOptional(at: 3)
        }
        return tokens
    }

    /// Stores a fresh access token, and the refresh token when Google sent a new one. Both are
    /// (re-)encrypted under the current key, so the row has one key id.
    public func saveTokens(id: Int64, _ tokens: AccountTokens, on db: PostgresConnection) throws {
        let cipher = try requireCipher()
        let refresh = try cipher.seal(tokens.refreshToken, context: Self.context(id, "refresh_token"))
        let access = try tokens.accessToken.map { token throws in try cipher.seal(token, context: Self.context(id, "access_token")) }
        try db.execute(
            """
            UPDATE calworker.accounts
               SET key_id = $2, refresh_token = $3::bytea, access_token = $4::bytea, access_token_expires_at = $5, updated_at = now()
             WHERE id = $1
            """, [id, cipher.current.id, Self.hex(refresh.ciphertext), access.map { Self.hex($0.ciphertext) }, tokens.accessTokenExpiresAt])
    }

    /// Re-encrypts every account not under the current key. Returns how many were rewritten.
    /// Each account is its own transaction, so an interrupted rotation resumes where it stopped.
    public func rotateKeys(on db: PostgresConnection) throws -> Int {
        let cipher = try requireCipher()
        let stale = try db.query("SELECT id, provider = 'caldav' FROM calworker.accounts WHERE key_id <> $1 ORDER BY id", [cipher.current.id])
            .map { (try $0.decode(Int64.self, at: 0), try $0.decode(Bool.self, at: 1)) }
        for (id, caldav) in stale {
            try db.transaction { db in
                _ = try db.query("SELECT 1 FROM calworker.accounts WHERE id = $1 FOR UPDATE", [id])
                if caldav {
                    try savePassword(id: id, try calDAVCredentials(id: id, on: db).password, on: db)
                } else {
                    try saveTokens(id: id, try tokens(id: id, on: db), on: db)
                }
            }
        }
        return stale.count
    }
}
