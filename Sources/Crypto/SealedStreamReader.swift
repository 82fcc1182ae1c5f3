public import Foundation

/// Opens `SealedStream`'s format as the sealed bytes arrive, passing plaintext to `sink` one
/// verified chunk at a time (never an unverified byte). `finish` refuses a stream that stopped
/// before its last frame.
public final class SealedStreamReader {
    private let keys: [String: SecretKey]
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private var pending = [UInt8]()
    private var header: [UInt8]?
    private var gcm: GCMContext?
    private var chunkSize = 0
    private var index: UInt64 = 0
    private var sawLast = false
    public let plaintextHash = SHA256Hasher()
    public let ciphertextHash = SHA256Hasher()
    public private(set) var plaintextBytes: Int64 = 0
    public private(set) var ciphertextBytes: Int64 = 0
    /// The id of the key the stream says it was sealed with, once the header has been read.
    public private(set) var keyID: String?

    /// - Parameter keys: every key that may have sealed the stream (current and previous).
    public init(keys: [SecretKey], sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.keys = Dictionary(keys.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.sink = sink
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        ciphertextHash.update(bytes)
        ciphertextBytes += Int64(bytes.count)
        pending.append(contentsOf: bytes)
        try drain()
    }

    public func write(_ data: Data) throws { try data.withUnsafeBytes { try write($0) } }

    public func finish() throws {
        try drain()
        guard header != nil else { throw CryptoError("not a sealed backup: it ends before its 48-byte header") }
        guard sawLast else {
            throw CryptoError("the backup is truncated: it ends after chunk \(index) without its final chunk")
        }
        guard pending.isEmpty else { throw CryptoError("\(pending.count) bytes follow the final chunk: the file was appended to") }
    }

    private func drain() throws {
        if header == nil {
            guard pending.count >= SealedStream.headerLength else { return }
            try readHeader(Array(pending[0..<SealedStream.headerLength]))
            pending.removeFirst(SealedStream.headerLength)
        }
        var offset = 0
        defer { if offset > 0 { pending.removeFirst(offset) } }
        while pending.count - offset >= 5 {
            if sawLast { throw CryptoError("data follows the final chunk: the file was appended to") }
            let length = pending[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard length <= chunkSize else {
                throw CryptoError("chunk \(index) claims \(length) bytes, more than the \(chunkSize) allowed: the file is damaged")
            }
            let total = length + SealedStream.frameOverhead
            guard pending.count - offset >= total else { return }
            try openFrame(at: offset, length: length)
            offset += total
        }
    }

    private func readHeader(_ bytes: [UInt8]) throws {
        guard Array(bytes[0..<8]) == SealedStream.magic else { throw CryptoError("not a sealed backup (no CWSEALED header)") }
        guard bytes[8] == 1 else { throw CryptoError("sealed format version \(bytes[8]) is newer than this build knows") }
        chunkSize = bytes[12..<16].reduce(0) { $0 << 8 | Int($1) }
        guard chunkSize > 0 && chunkSize <= 64 << 20 else { throw CryptoError("the header's chunk size \(chunkSize) is out of range: damaged") }
        let id = String(decoding: bytes[16..<32], as: UTF8.self)
        keyID = id
        guard let key = keys[id] else {
            throw CryptoError("the backup was sealed with key \(id), which is not configured (have: \(keys.keys.sorted().joined(separator: ", ")))")
        }
        gcm = try GCMContext(key: key.bytes, encrypting: false)
        header = bytes
    }

    private func openFrame(at offset: Int, length: Int) throws {
        let flags = pending[offset + 4]
        guard flags & ~1 == 0 else { throw CryptoError("chunk \(index) has unknown flags: the file is damaged") }
        let nonce = Array(pending[(offset + 5)..<(offset + 5 + AESGCM.nonceLength)])
        let bodyStart = offset + 5 + AESGCM.nonceLength
        var tag = Array(pending[(bodyStart + length)..<(bodyStart + length + AESGCM.tagLength)])
        var plain = [UInt8](repeating: 0, count: length + 16)
        let aad = SealedStream.associatedData(header: header!, index: index, flags: flags, length: UInt32(length))
        do {
            try pending.withUnsafeBytes { all in
                try plain.withUnsafeMutableBytes { out in
                    try tag.withUnsafeMutableBytes { tagBytes in
                        try gcm!.run(
                            nonce: nonce, aad: aad, input: UnsafeRawBufferPointer(rebasing: all[bodyStart..<(bodyStart + length)]),
                            output: out.baseAddress!, tag: tagBytes.baseAddress!)
                    }
                }
            }
        } catch {
            throw CryptoError("chunk \(index) does not authenticate: the backup was changed, reordered or cut, or the key is wrong")
        }
        plaintextBytes += Int64(length)
        try plain.withUnsafeBytes { bytes in
            let opened = UnsafeRawBufferPointer(rebasing: bytes[0..<length])
            plaintextHash.update(opened)
            try sink(opened)
        }
        index += 1
        if flags & 1 == 1 { sawLast = true }
    }
}
