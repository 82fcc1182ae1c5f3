public import Foundation

/// Seals a stream of bytes into `SealedStream`'s format, passing the sealed bytes to `sink`
/// as each chunk fills; memory stays at two chunks whatever the size. Also hashes both sides
/// (for the manifest) as they go by.
public final class SealedStreamWriter {
    private let gcm: GCMContext
    private let header: [UInt8]
    private let chunkSize: Int
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private let plain: UnsafeMutableRawBufferPointer
    private let frame: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var index: UInt64 = 0
    private var done = false
    public let plaintextHash = SHA256Hasher()
    public let ciphertextHash = SHA256Hasher()
    public private(set) var plaintextBytes: Int64 = 0
    public private(set) var ciphertextBytes: Int64 = 0

    public init(
        key: SecretKey, chunkSize: Int = SealedStream.defaultChunkSize,
        sink: @escaping (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        precondition(chunkSize > 0 && chunkSize <= 64 << 20, "chunk size out of range")
        gcm = try GCMContext(key: key.bytes, encrypting: true)
        self.chunkSize = chunkSize
        self.sink = sink
        header =
            SealedStream.magic + [1, 0, 0, 0] + SealedStream.bigEndian(UInt64(chunkSize)).suffix(4) + Array(key.id.utf8)
            + (try Random.bytes(16))
        plain = .allocate(byteCount: chunkSize, alignment: 16)
        frame = .allocate(byteCount: chunkSize + SealedStream.frameOverhead, alignment: 16)
        try header.withUnsafeBytes { try emit($0) }
    }

    deinit {
        plain.deallocate()
        frame.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!done, "write after finish")
        plaintextHash.update(bytes)
        plaintextBytes += Int64(bytes.count)
        var offset = 0
        while offset < bytes.count {
            if filled == chunkSize { try seal(last: false) }
            let count = min(chunkSize - filled, bytes.count - offset)
            (plain.baseAddress! + filled).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            filled += count
            offset += count
        }
    }

    public func write(_ data: Data) throws { try data.withUnsafeBytes { try write($0) } }

    /// Seals what is left as the last frame (possibly empty). Nothing may be written after.
    public func finish() throws {
        precondition(!done, "finish twice")
        try seal(last: true)
        done = true
    }

    private func seal(last: Bool) throws {
        let flags: UInt8 = last ? 1 : 0
        let length = UInt32(filled)
        let nonce = try Random.bytes(AESGCM.nonceLength)
        let base = frame.baseAddress!
        let lengthBytes = SealedStream.bigEndian(UInt64(length)).suffix(4)
        base.copyMemory(from: Array(lengthBytes), byteCount: 4)
        base.storeBytes(of: flags, toByteOffset: 4, as: UInt8.self)
        (base + 5).copyMemory(from: nonce, byteCount: AESGCM.nonceLength)
        let body = base + 5 + AESGCM.nonceLength
        try gcm.run(
            nonce: nonce, aad: SealedStream.associatedData(header: header, index: index, flags: flags, length: length),
            input: UnsafeRawBufferPointer(start: plain.baseAddress, count: filled), output: body, tag: body + filled)
        try emit(UnsafeRawBufferPointer(start: base, count: filled + SealedStream.frameOverhead))
        index += 1
        filled = 0
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        ciphertextHash.update(bytes)
        ciphertextBytes += Int64(bytes.count)
        try sink(bytes)
    }
}
