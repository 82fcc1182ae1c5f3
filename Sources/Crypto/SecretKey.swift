import Foundation

/// A 256-bit symmetric key (token encryption, backups), named by an id that reveals nothing:
/// the id travels with every ciphertext, so the right key can be picked and a wrong one named.
public struct SecretKey: Sendable {
    let bytes: [UInt8]
    /// The first 16 hex digits of SHA-256 of the key.
    public let id: String

    /// `base64` of exactly 32 bytes (`openssl rand -base64 32`).
    public init(base64: String) throws(CryptoError) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw CryptoError("a key must be base64 of exactly 32 bytes (make one with: openssl rand -base64 32)")
        }
        self.init(bytes: [UInt8](data))
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
        id = String(Digest.hex(Digest.sha256(bytes)).prefix(16))
    }
}
