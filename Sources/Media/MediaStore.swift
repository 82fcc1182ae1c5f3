public import Foundation

/// One object in a store, as a HEAD or a listing describes it.
public struct MediaObject: Sendable, Equatable {
    public var location: MediaLocation
    public var size: Int64
    public var lastModified: Date?
    public var etag: String?

    public init(location: MediaLocation, size: Int64, lastModified: Date?, etag: String? = nil) {
        self.location = location
        self.size = size
        self.lastModified = lastModified
        self.etag = etag
    }
}

/// The few operations jobs need from a place that holds files: S3-compatible object stores,
/// plain HTTP servers (read-only) and a local folder. Calls block the calling thread (a worker
/// slot); every failure is a `MediaError` whose kind says whether to retry.
public protocol MediaStore: Sendable {
    /// The object's bytes. Throws `.tooLarge` rather than reading more than `maxBytes`.
    func get(_ location: MediaLocation, maxBytes: Int) throws(MediaError) -> Data
    /// The object's size and age, or nil when there is none.
    func head(_ location: MediaLocation) throws(MediaError) -> MediaObject?
    /// Writes the object whole (readers never see half of it).
    func put(_ location: MediaLocation, data: Data, contentType: String) throws(MediaError)
    /// Removes the object; removing one that is not there is not an error.
    func delete(_ location: MediaLocation) throws(MediaError)
    /// Every object whose location starts with `prefix`, in key order.
    func list(prefix: MediaLocation) throws(MediaError) -> [MediaObject]
    /// Writes the file at `path` as the object, streamed (a backup is never whole in memory);
    /// `sha256` is the file's hex digest (S3 signs it). Readers never see half of it.
    func upload(_ location: MediaLocation, file path: String, sha256: String, contentType: String) throws(MediaError)
    /// Hands the object to `sink` piece by piece as it arrives; returns its size. Errors of
    /// `sink` stop the transfer and are rethrown as they are.
    func download(_ location: MediaLocation, to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64
    /// Clears what uploads killed midway left under `prefix` before `cutoff` (S3's unfinished
    /// multipart uploads, which are invisible to `list` but kept and billed); returns how many.
    func removeAbandonedUploads(prefix: MediaLocation, olderThan cutoff: Date) throws(MediaError) -> Int
}

extension MediaStore {
    /// Stores whose writes cannot be left half-done have nothing to clear.
    public func removeAbandonedUploads(prefix: MediaLocation, olderThan cutoff: Date) throws(MediaError) -> Int { 0 }
}
