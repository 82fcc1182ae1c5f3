import CCrypto
import Foundation

/// AES-256-GCM through OpenSSL's EVP interface: authenticated encryption, so a tampered,
/// truncated or wrongly keyed ciphertext is refused instead of decrypting to garbage.
public enum AESGCM {
    public static let keyLength = 32
    public static let nonceLength = 12
    public static let tagLength = 16

    /// Encrypts `plaintext` under `key` with a fresh random nonce and `aad` authenticated
    /// (not encrypted) beside it. Returns nonce ‖ ciphertext ‖ tag.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], aad: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        guard key.count == keyLength else { throw CryptoError("AES-256-GCM needs a 32-byte key, got \(key.count) bytes") }
        let nonce = try Random.bytes(nonceLength)
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw CryptoError.openSSL("AES-GCM encrypt init")
        }
        var length: Int32 = 0
        if !aad.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1 else { throw CryptoError.openSSL("AES-GCM aad") }
        }
        var output = [UInt8](repeating: 0, count: plaintext.count + 16)
        var written: Int32 = 0
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(context, &output, &written, plaintext, Int32(plaintext.count)) == 1 else {
                throw CryptoError.openSSL("AES-GCM encrypt")
            }
        }
        var finalLength: Int32 = 0
        let finished = output.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(written), &finalLength)
        }
        guard finished == 1 else { throw CryptoError.openSSL("AES-GCM encrypt final") }
        var tag = [UInt8](repeating: 0, count: tagLength)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), &tag) == 1 else {
            throw CryptoError.openSSL("AES-GCM tag")
        }
        return nonce + output[0..<Int(written + finalLength)] + tag
    }

    /// Decrypts what `seal` produced; throws when the key, the data or `aad` do not match.
    public static func open(_ sealed: [UInt8], key: [UInt8], aad: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        guard key.count == keyLength else { throw CryptoError("AES-256-GCM needs a 32-byte key, got \(key.count) bytes") }
        guard sealed.count >= nonceLength + tagLength else { throw CryptoError("ciphertext too short to be AES-GCM") }
        let nonce = Array(sealed[0..<nonceLength])
        let body = Array(sealed[nonceLength..<(sealed.count - tagLength)])
        var tag = Array(sealed[(sealed.count - tagLength)...])
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw CryptoError.openSSL("AES-GCM decrypt init")
        }
        var length: Int32 = 0
        if !aad.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1 else { throw CryptoError.openSSL("AES-GCM aad") }
        }
        var output = [UInt8](repeating: 0, count: body.count + 16)
        var written: Int32 = 0
        if !body.isEmpty {
            guard EVP_DecryptUpdate(context, &output, &written, body, Int32(body.count)) == 1 else {
                throw CryptoError.openSSL("AES-GCM decrypt")
            }
        }
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), &tag) == 1 else {
            throw CryptoError.openSSL("AES-GCM set tag")
        }
        var finalLength: Int32 = 0
        let verified = output.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress! + Int(written), &finalLength)
        }
        guard verified == 1 else {
            ERR_clear_error()
            throw CryptoError("authentication failed: wrong key, or the data was changed")
        }
        return Array(output[0..<Int(written + finalLength)])
    }
}

/// Cryptographically strong random bytes (OpenSSL's RAND_bytes).
public enum Random {
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard count == 0 || RAND_bytes(&bytes, Int32(count)) == 1 else { throw CryptoError.openSSL("RAND_bytes") }
        return bytes
    }

    /// `count` random bytes as base64url without padding (RFC 4648 §5): a secret that goes in
    /// a URL or a header as it is (push channel tokens, feed addresses).
    public static func urlSafeToken(bytes count: Int) throws(CryptoError) -> String {
        var text = ""
        for character in Data(try bytes(count)).base64EncodedString() {
            switch character {
            case "+": text.append("-")
            case "/": text.append("_")
            case "=": continue
            default: text.append(character)
            }
        }
        return text
    }
}

/// SHA-256 and HMAC-SHA256.
public enum Digest {
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = EVP_Digest(data, data.count, &digest, &length, EVP_sha256(), nil)
        return digest
    }

    public static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = HMAC(EVP_sha256(), key, Int32(key.count), data, data.count, &digest, &length)
        return digest
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two digests in time that depends only on their length (OpenSSL's
    /// CRYPTO_memcmp), so a caller checking a presented secret's digest leaks nothing of the
    /// stored one through timing.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.isEmpty || CRYPTO_memcmp(lhs, rhs, lhs.count) == 0
    }
}
