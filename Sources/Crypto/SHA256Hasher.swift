import CCrypto

/// SHA-256 over data that arrives in pieces (a backup streamed through), never whole in memory.
/// Owns its EVP context: freed in `deinit` and nowhere else.
public final class SHA256Hasher {
    private let context: OpaquePointer
    private var finished: [UInt8]?

    public init() {
        // EVP_MD_CTX_new fails only without memory, where nothing else would work either.
        context = EVP_MD_CTX_new()!
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(finished == nil, "SHA256Hasher updated after its digest was taken")
        if let base = bytes.baseAddress, !bytes.isEmpty { EVP_DigestUpdate(context, base, bytes.count) }
    }

    /// The digest as lower-case hex; taking it ends the hashing.
    public var hex: String {
        if let finished { return Digest.hex(finished) }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        finished = digest
        return Digest.hex(digest)
    }
}
