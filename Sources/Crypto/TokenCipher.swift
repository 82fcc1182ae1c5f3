import Foundation
import Redaction

/// Encrypts OAuth tokens for storage: AES-256-GCM under the current key, with a key id kept
/// beside each ciphertext so keys can be rotated (old keys still decrypt until
/// `calworker accounts rotate-key` has re-encrypted everything).
///
/// `context` (e.g. "account/7/refresh_token") is authenticated with the ciphertext, so a token
/// copied into another row or field does not decrypt there.
public struct TokenCipher: Sendable {
    /// Token keys are `SecretKey`s: 32 random bytes, named by their id.
    public typealias Key = SecretKey

    public let current: Key
    /// Keys that may still decrypt old ciphertexts.
    public let previous: [Key]

    public init(current: Key, previous: [Key] = []) {
        self.current = current
        self.previous = previous
    }

    /// Encrypts under the current key; returns the ciphertext and the key id to store with it.
    ///
    /// Every token that passes through here, either way, is registered with `KnownSecrets`:
    /// this is where tokens enter the process, so from here on no error text, log line or
    /// output that echoes one carries it out.
    public func seal(_ token: String, context: String) throws(CryptoError) -> (ciphertext: [UInt8], keyID: String) {
        KnownSecrets.register(token)
        return (try AESGCM.seal(Array(token.utf8), key: current.bytes, aad: Array(context.utf8)), current.id)
    }

    public func open(_ ciphertext: [UInt8], keyID: String, context: String) throws(CryptoError) -> String {
        guard let key = ([current] + previous).first(where: { $0.id == keyID }) else {
            throw CryptoError(
                "no key with id \(keyID) is configured: set CALWORKER_TOKEN_KEY (or CALWORKER_TOKEN_KEY_PREVIOUS) to the key that encrypted it")
        }
        let plaintext = try AESGCM.open(ciphertext, key: key.bytes, aad: Array(context.utf8))
        guard let text = String(bytes: plaintext, encoding: .utf8) else { throw CryptoError("decrypted token is not UTF-8") }
        KnownSecrets.register(text)
        return text
    }
}
