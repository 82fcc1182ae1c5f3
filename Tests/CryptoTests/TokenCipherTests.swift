import Crypto
import Foundation
import Testing

@Suite struct TokenCipherTests {
    static let keyA = Data((0..<32).map { UInt8($0) }).base64EncodedString()
    static let keyB = Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString()

    @Test func roundTripsAndNeverRepeatsACiphertext() throws {
        let cipher = TokenCipher(current: try .init(base64: Self.keyA))
        let first = try cipher.seal("1//refresh-token", context: "account/1/refresh_token")
        let second = try cipher.seal("1//refresh-token", context: "account/1/refresh_token")
        #expect(first.ciphertext != second.ciphertext, "a fresh nonce each time")
        #expect(try cipher.open(first.ciphertext, keyID: first.keyID, context: "account/1/refresh_token") == "1//refresh-token")
        #expect(!String(decoding: first.ciphertext, as: UTF8.self).contains("refresh-token"))
    }

    @Test func tamperingAnotherContextOrAnotherKeyIsRefused() throws {
        let cipher = TokenCipher(current: try .init(base64: Self.keyA))
        let sealed = try cipher.seal("secret", context: "account/1/refresh_token")
        var tampered = sealed.ciphertext
        tampered[14] ^= 1
        #expect(throws: CryptoError.self) { try cipher.open(tampered, keyID: sealed.keyID, context: "account/1/refresh_token") }
        #expect(throws: CryptoError.self) { try cipher.open(sealed.ciphertext, keyID: sealed.keyID, context: "account/2/refresh_token") }
        #expect(throws: CryptoError.self) {
            try cipher.open(Array(sealed.ciphertext.dropLast()), keyID: sealed.keyID, context: "account/1/refresh_token")
        }
        let other = TokenCipher(current: try .init(base64: Self.keyB))
        #expect(throws: CryptoError.self) { try other.open(sealed.ciphertext, keyID: sealed.keyID, context: "account/1/refresh_token") }
    }

    @Test func previousKeysStillDecryptAfterRotation() throws {
        let old = TokenCipher(current: try .init(base64: Self.keyA))
        let sealed = try old.seal("secret", context: "c")
        let rotated = TokenCipher(current: try .init(base64: Self.keyB), previous: [try .init(base64: Self.keyA)])
        #expect(try rotated.open(sealed.ciphertext, keyID: sealed.keyID, context: "c") == "secret")
        #expect(try rotated.seal("x", context: "c").keyID == rotated.current.id)
        #expect(rotated.current.id != old.current.id && rotated.current.id.count == 16)
    }

    @Test(arguments: ["", "not base64!", Data(repeating: 1, count: 16).base64EncodedString()])
    func badKeysAreRefusedWithHowToMakeOne(text: String) {
        #expect { _ = try TokenCipher.Key(base64: text) } throws: { "\($0)".contains("openssl rand -base64 32") }
    }

    @Test func sha256AndHMACMatchKnownVectors() {
        #expect(Digest.hex(Digest.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // RFC 4231 test case 2.
        #expect(
            Digest.hex(Digest.hmacSHA256(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
