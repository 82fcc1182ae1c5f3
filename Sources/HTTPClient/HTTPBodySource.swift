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

/// A body read from a file as it is sent (backups): constant memory whatever the size.
public final class FileBodySource: HTTPBodySource {
    private let handle: FileHandle
    public let length: Int64

    public init(path: String) throws {
        handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        length = (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }

    deinit { try? handle.close() }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = Foundation.read(handle.fileDescriptor, buffer.baseAddress, buffer.count)
        guard count >= 0 else { throw HTTPError(.transport, "reading the upload: \(String(cString: strerror(errno)))") }
        return count
    }
}
