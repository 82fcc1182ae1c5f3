import Crypto
import Foundation
import Testing

@Suite struct SealedStreamTests {
    let key = try! SecretKey(base64: Data((0..<32).map { UInt8($0 * 3) }).base64EncodedString())
    let otherKey = try! SecretKey(base64: Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString())

    func seal(_ plaintext: [UInt8], chunkSize: Int = 1000) throws -> (sealed: [UInt8], writer: SealedStreamWriter) {
        var sealed: [UInt8] = []
        let writer = try SealedStreamWriter(key: key, chunkSize: chunkSize) { sealed.append(contentsOf: $0) }
        // Written in uneven pieces, as a pipe delivers them.
        var offset = 0
        var piece = 1
        while offset < plaintext.count {
            let count = min(piece, plaintext.count - offset)
            try plaintext.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
            offset += count
            piece = piece * 3 + 1
        }
        try writer.finish()
        return (sealed, writer)
    }

    func open(_ sealed: [UInt8], keys: [SecretKey]? = nil, pieces: Int = 777) throws -> [UInt8] {
        var plain: [UInt8] = []
        let reader = SealedStreamReader(keys: keys ?? [key]) { plain.append(contentsOf: $0) }
        var offset = 0
        while offset < sealed.count {
            let count = min(pieces, sealed.count - offset)
            try sealed.withUnsafeBytes { try reader.write(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
            offset += count
        }
        try reader.finish()
        return plain
    }

    static func errorMessage(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [0, 1, 999, 1000, 1001, 25_000])
    func roundTripsAnyLengthWithMatchingHashes(length: Int) throws {
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let (sealed, writer) = try seal(plaintext)
        #expect(try open(sealed) == plaintext)
        #expect(writer.plaintextBytes == Int64(length) && writer.ciphertextBytes == Int64(sealed.count))
        #expect(writer.plaintextHash.hex == Digest.hex(Digest.sha256(plaintext)))
        #expect(writer.ciphertextHash.hex == Digest.hex(Digest.sha256(sealed)))
        let frames = max(1, (length + 999) / 1000)
        #expect(sealed.count == 48 + length + frames * 33, "one frame per chunk; the last full one is marked last")
    }

    @Test func everyChunkHasAFreshNonce() throws {
        let (a, _) = try seal([UInt8](repeating: 0, count: 3000))
        let (b, _) = try seal([UInt8](repeating: 0, count: 3000))
        #expect(a != b, "the same plaintext seals differently each time")
        let nonces = (0..<3).map { frame in Array(a[(48 + frame * 1033 + 5)..<(48 + frame * 1033 + 17)]) }
        #expect(Set(nonces.map { $0.description }).count == 3)
    }

    @Test func aChangedByteIsRefusedWherever() throws {
        let (sealed, _) = try seal((0..<5000).map { UInt8(truncatingIfNeeded: $0) })
        for position in [60, 1500, sealed.count - 1] {
            var tampered = sealed
            tampered[position] ^= 0x01
            let message = Self.errorMessage { _ = try open(tampered) }
            #expect(message?.contains("does not authenticate") == true, "byte \(position): \(message ?? "accepted")")
        }
        var header = sealed
        header[40] ^= 0x80  // the stream id: every frame's associated data changes
        #expect(Self.errorMessage { _ = try open(header) }?.contains("does not authenticate") == true)
    }

    @Test func aTruncatedStreamIsRefusedEvenAtAChunkBoundary() throws {
        let (sealed, _) = try seal((0..<5000).map { UInt8(truncatingIfNeeded: $0) })
        for cut in [47, 48, 48 + 1033, 48 + 2 * 1033, sealed.count - 1] {
            let message = Self.errorMessage { _ = try open(Array(sealed.prefix(cut))) }
            #expect(message?.contains("truncated") == true || message?.contains("header") == true, "cut at \(cut): \(message ?? "accepted")")
        }
    }

    @Test func reorderedOrDroppedChunksAreRefused() throws {
        let (sealed, _) = try seal((0..<5000).map { UInt8(truncatingIfNeeded: $0) })
        let header = Array(sealed[0..<48])
        let frames = (0..<4).map { Array(sealed[(48 + $0 * 1033)..<(48 + ($0 + 1) * 1033)]) }
        let last = Array(sealed[(48 + 4 * 1033)...])
        let swapped = header + frames[1] + frames[0] + frames[2] + frames[3] + last
        #expect(Self.errorMessage { _ = try open(swapped) }?.contains("chunk 0 does not authenticate") == true)
        let dropped = header + frames[0] + frames[2] + frames[3] + last
        #expect(Self.errorMessage { _ = try open(dropped) }?.contains("chunk 1 does not authenticate") == true)
        let appended = sealed + frames[0]
        #expect(Self.errorMessage { _ = try open(appended) }?.contains("follow") == true)
    }

    @Test func aWrongKeyIsNamedAndAnotherStreamsChunksDoNotFit() throws {
        let (sealed, _) = try seal(Array("the calendar platform's data".utf8))
        let message = Self.errorMessage { _ = try open(sealed, keys: [otherKey]) }
        #expect(message?.contains("sealed with key \(key.id)") == true && message?.contains(otherKey.id) == true)
        #expect(try open(sealed, keys: [otherKey, key]) == Array("the calendar platform's data".utf8), "a previous key still opens it")
        let (other, _) = try seal(Array("the calendar platform's data".utf8))
        let spliced = Array(sealed[0..<48]) + Array(other[48...])
        #expect(Self.errorMessage { _ = try open(spliced) }?.contains("does not authenticate") == true)
    }

    @Test func notABackupAtAll() {
        #expect(
            Self.errorMessage { _ = try open(Array("PGDMP custom format, not sealed......................".utf8)) }?
                .contains("not a sealed backup") == true)
    }
}
