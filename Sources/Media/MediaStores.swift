public import Foundation
import HTTPClient
public import Metrics

/// Picks the store for a location by its scheme, so a job handles `s3://`, `https://` and
/// `file://` sources and targets alike.
public struct MediaStores: Sendable {
    let s3: S3Store
    let http: HTTPStore
    let files: FileStore?

    /// - Parameter shouldAbort: polled during transfers; true stops them (`MediaError.aborted`).
    public init(settings: MediaSettings, metrics: MetricsRegistry, shouldAbort: @escaping @Sendable () -> Bool = { false }) {
        s3 = S3Store(settings: settings, http: HTTPClient(service: "s3", metrics: metrics), shouldAbort: shouldAbort)
        http = HTTPStore(http: HTTPClient(service: "media_http", metrics: metrics), shouldAbort: shouldAbort)
        files = settings.mediaRoot.map { FileStore(root: $0) }
    }

    public func store(for location: MediaLocation) throws(MediaError) -> any MediaStore {
        switch location {
        case .s3: return s3
        case .http: return http
        case .file:
            guard let files else {
                throw MediaError(.invalid, "\(location): file:// locations need CALWORKER_MEDIA_ROOT, the folder they must lie under")
            }
            return files
        }
    }

    /// Refuses a location the stores would refuse when used: a `file://` one without a media
    /// root, or outside it (after `..` and links). Checked when a job is enqueued, so a bad
    /// target is a usage error then, not a job failing in a worker again and again.
    public static func check(_ location: MediaLocation, mediaRoot: String?) throws(MediaError) {
        guard case .file = location else { return }
        guard let mediaRoot else {
            throw MediaError(.invalid, "\(location): file:// locations need CALWORKER_MEDIA_ROOT, the folder they must lie under")
        }
        _ = try FileStore(root: mediaRoot).resolve(location, allowRoot: true)
    }

    public func get(_ location: MediaLocation, maxBytes: Int) throws(MediaError) -> Data {
        try store(for: location).get(location, maxBytes: maxBytes)
    }

    public func head(_ location: MediaLocation) throws(MediaError) -> MediaObject? {
        try store(for: location).head(location)
    }

    public func put(_ location: MediaLocation, data: Data, contentType: String) throws(MediaError) {
        try store(for: location).put(location, data: data, contentType: contentType)
    }

    public func delete(_ location: MediaLocation) throws(MediaError) {
        try store(for: location).delete(location)
    }

    public func list(prefix: MediaLocation) throws(MediaError) -> [MediaObject] {
        try store(for: prefix).list(prefix: prefix)
    }

    public func upload(_ location: MediaLocation, file path: String, sha256: String, contentType: String) throws(MediaError) {
        try store(for: location).upload(location, file: path, sha256: sha256, contentType: contentType)
    }

    public func removeAbandonedUploads(prefix: MediaLocation, olderThan cutoff: Date) throws(MediaError) -> Int {
        try store(for: prefix).removeAbandonedUploads(prefix: prefix, olderThan: cutoff)
    }

    public func download(_ location: MediaLocation, to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        try store(for: location).download(location, to: sink)
    }
}
