import Accounts
import Crypto
import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct AccountStoreTests {
    static let keyA = try! TokenCipher.Key(base64: Data((0..<32).map { UInt8($0 * 3 % 251) }).base64EncodedString())
    static let keyB = try! TokenCipher.Key(base64: Data((0..<32).map { UInt8(200 &- $0) }).base64EncodedString())
    static let refreshToken = "1//0refresh-token-that-must-never-leak-A7"

    @Test func addsAnAccountAndReadsItsTokensBack() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let store = AccountStore(cipher: TokenCipher(current: Self.keyA))
        let account = try store.add(email: "ada@example.com", owner: "user-1", refreshToken: Self.refreshToken, on: db)
        #expect(account.state == .active && account.owner == "user-1" && !account.hasAccessToken)
        #expect(try store.tokens(id: account.id, on: db).refreshToken == Self.refreshToken)
        #expect(try store.add(email: "bob@example.com", owner: nil, refreshToken: "x", on: db).owner == "bob@example.com")
        #expect { try store.add(email: "ada@example.com", owner: nil, refreshToken: "y", on: db) } throws: { error in
            (error as? AccountError)?.code == .duplicate
        }
        #expect { try store.add(email: "not an email", owner: nil, refreshToken: "y", on: db) } throws: { error in
            (error as? AccountError)?.code == .invalid
        }
        #expect("\(try store.tokens(id: account.id, on: db))" == "AccountTokens(redacted)")
    }

    @Test func tokensAreUnreadableInADumpOfTheDatabase() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let store = AccountStore(cipher: TokenCipher(current: Self.keyA))
        let account = try store.add(email: "ada@example.com", owner: nil, refreshToken: Self.refreshToken, on: db)
        try store.saveTokens(
            id: account.id,
            AccountTokens(
                refreshToken: Self.refreshToken, accessToken: "ya29.access-token-B8",
                accessTokenExpiresAt: Date().addingTimeInterval(3600)), on: db)
        let dump = try PgDump.plain(database.url)
        #expect(dump.contains("ada@example.com"), "the dump has the account")
        #expect(!dump.contains("refresh-token-that-must-never-leak"))
        #expect(!dump.contains("access-token-B8"))
    }

    @Test func rotationReencryptsUnderTheNewKeyAndTheOldKeyCanGo() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let old = AccountStore(cipher: TokenCipher(current: Self.keyA))
        let ids = try (0..<3).map { try old.add(email: "u\($0)@example.com", owner: nil, refreshToken: "token-\($0)", on: db).id }
        let rotating = AccountStore(cipher: TokenCipher(current: Self.keyB, previous: [Self.keyA]))
        #expect(try rotating.rotateKeys(on: db) == 3)
        #expect(try rotating.rotateKeys(on: db) == 0, "idempotent")
        let newOnly = AccountStore(cipher: TokenCipher(current: Self.keyB))
        #expect(try ids.map { try newOnly.tokens(id: $0, on: db).refreshToken } == ["token-0", "token-1", "token-2"])
        #expect(try newOnly.list(on: db).allSatisfy { $0.keyID == Self.keyB.id })
        #expect(throws: CryptoError.self) { _ = try old.tokens(id: ids[0], on: db) }
    }

    @Test func aCiphertextMovedToAnotherAccountDoesNotDecrypt() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let store = AccountStore(cipher: TokenCipher(current: Self.keyA))
        let a = try store.add(email: "a@example.com", owner: nil, refreshToken: "token-a", on: db).id
        let b = try store.add(email: "b@example.com", owner: nil, refreshToken: "token-b", on: db).id
        try db.execute(
            "UPDATE calworker.accounts SET refresh_token = (SELECT refresh_token FROM calworker.accounts WHERE id = $1) WHERE id = $2", [a, b])
        #expect(throws: CryptoError.self) { _ = try store.tokens(id: b, on: db) }
    }

    @Test func withoutAKeyAccountsListButTokensSayHowToSetOne() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        _ = try AccountStore(cipher: TokenCipher(current: Self.keyA)).add(email: "a@example.com", owner: nil, refreshToken: "t", on: db)
        let keyless = AccountStore(cipher: nil)
        #expect(try keyless.list(on: db).count == 1)
        #expect { _ = try keyless.tokens(id: 1, on: db) } throws: { "\($0)".contains("CALWORKER_TOKEN_KEY") }
    }
}
