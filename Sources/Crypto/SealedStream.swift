import CCrypto
import Foundation

/// The format of an encrypted backup: AES-256-GCM in chunks, so a file of any size is sealed
/// and opened in constant memory, and every way of damaging it is detected.
///
///     header (48 bytes): "CWSEALED" | version 1 | 3 zero bytes | chunk size (u32) |
///                        key id (16 ASCII hex digits) | stream id (16 random bytes)
///     frame, repeated:   length (u32) | flags (1 byte; bit 0: last) | nonce (12 random bytes) |
///                        ciphertext (length bytes) | tag (16 bytes)
///
/// Each frame authenticates the header (so frames cannot move between streams), its index (so
/// they cannot be reordered or dropped), its flags and its length. The stream must end with
/// exactly one frame marked last (so a truncated stream is refused), and nothing may follow it.
/// Numbers are big-endian.
public enum SealedStream {
    public static let magic = Array("CWSEALED".utf8)
    public static let headerLength = 48
    static let frameOverhead = 4 + 1 + AESGCM.nonceLength + AESGCM.tagLength
    public static let defaultChunkSize = 1 << 20

    static func associatedData(header: [UInt8], index: UInt64, flags: UInt8, length: UInt32) -> [UInt8] {
        header + bigEndian(index) + [flags] + bigEndian(UInt64(length)).suffix(4)
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
}

/// One AES-256-GCM context, re-keyed once and given a fresh nonce per chunk. Freed in `deinit`.
final class GCMContext {
    let context: OpaquePointer
    let encrypting: Bool

    init(key: [UInt8], encrypting: Bool) throws(CryptoError) {
        guard key.count == AESGCM.keyLength else { throw CryptoError("AES-256-GCM needs a 32-byte key") }
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        self.context = context
        self.encrypting = encrypting
        let ok =
            encrypting ? EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nil) : EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nil)
        guard ok == 1 else { throw CryptoError.openSSL("AES-GCM init") }
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Seals or opens `input` into `output` (same length); for opening, `tag` is checked.
    func run(
        nonce: [UInt8], aad: [UInt8], input: UnsafeRawBufferPointer, output: UnsafeMutableRawPointer,
        tag: UnsafeMutableRawPointer
    ) throws(CryptoError) {
        let started = encrypting ? EVP_EncryptInit_ex(context, nil, nil, nil, nonce) : EVP_DecryptInit_ex(context, nil, nil, nil, nonce)
        guard started == 1 else { throw CryptoError.openSSL("AES-GCM nonce") }
        var length: Int32 = 0
        let update = encrypting ? EVP_EncryptUpdate : EVP_DecryptUpdate
        guard update(context, nil, &length, aad, Int32(aad.count)) == 1 else { throw CryptoError.openSSL("AES-GCM aad") }
        if let base = input.baseAddress, !input.isEmpty {
            guard
                update(
                    context, output.assumingMemoryBound(to: UInt8.self), &length, base.assumingMemoryBound(to: UInt8.self),
                    Int32(input.count)) == 1
            else { throw CryptoError.openSSL("AES-GCM update") }
        }
        var final: Int32 = 0
        if encrypting {
            guard EVP_EncryptFinal_ex(context, output.assumingMemoryBound(to: UInt8.self) + input.count, &final) == 1,
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(AESGCM.tagLength), tag) == 1
            else {
                throw CryptoError.openSSL("AES-GCM seal")
            }
        } else {
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(AESGCM.tagLength), tag) == 1 else {
                throw CryptoError.openSSL("AES-GCM tag")
            }
            guard EVP_DecryptFinal_ex(context, output.assumingMemoryBound(to: UInt8.self) + input.count, &final) == 1 else {
                ERR_clear_error()
                throw CryptoError("authentication failed")
            }
        }
    }
}
