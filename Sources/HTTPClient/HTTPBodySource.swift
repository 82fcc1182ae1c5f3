import Foundation

/// A request body read piece by piece while it is sent (a backup, a photo), so it is never
/// whole in memory. Its length is known up front and sent as `Content-Length`: S3 and many
/// servers refuse chunked uploads.
public protocol HTTPBodySource: AnyObject {
    /// The exact number of bytes `read` will produce.
    var length: Int64 { get }
    /// Fills `buffer` with the next bytes and returns how many; 0 at the end. Throwing stops
    /// the transfer and the error is rethrown by `send`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A body from bytes in memory, for tests and small payloads.
public final class BytesBodySource: HTTPBodySource {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var length: Int64 { Int64(bytes.count) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
        }
        offset += count
        return count
    }
}

/// A body read from a file as it is sent (backups): constant memory whatever the size. A
/// range of the file can be sent on its own (one part of an S3 multipart upload).
public final class FileBodySource: HTTPBodySource {
    private let handle: FileHandle
    public let length: Int64
    private var remaining: Int64

    public convenience init(path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        try self.init(path: path, offset: 0, length: (attributes[.size] as? NSNumber)?.int64Value ?? 0)
    }

    /// `length` bytes from `offset`; the file must hold them all (`read` throws if it ends early).
    public init(path: String, offset: Int64, length: Int64) throws {
        handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        if offset > 0 { try handle.seek(toOffset: UInt64(offset)) }
        self.length = length
        remaining = length
    }

    deinit { try? handle.close() }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let wanted = Int(min(Int64(buffer.count), remaining))
        guard wanted > 0 else { return 0 }
        let count = Foundation.read(handle.fileDescriptor, buffer.baseAddress, wanted)
        guard count >= 0 else { throw HTTPError(.transport, "reading the upload: \(String(cString: strerror(errno)))") }
        guard count > 0 else { throw HTTPError(.transport, "reading the upload: the file ended \(remaining) bytes early") }
        remaining -= Int64(count)
        return count
    }
}
