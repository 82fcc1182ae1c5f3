import Basics
import Crypto
public import Foundation
public import Media
public import Postgres

/// Publishes feeds to the media store (`CALWORKER_FEEDS_TARGET`) as `<token>.ics`, only when
/// they changed: a feed whose fingerprint is the one last published is not even rendered, and
/// one rendered to the same bytes is not written again, so its ETag stays and subscribers'
/// conditional requests keep answering 304.
public struct FeedPublisher {
    public let stores: MediaStores
    /// The folder the feeds live in (ends with `/`).
    public let target: MediaLocation
    public let spoolDirectory: String
    /// Asked as each block of a feed is written: a stopped job stops rendering.
    let shouldStop: @Sendable () -> Bool

    public init(
        stores: MediaStores, target: MediaLocation, spoolDirectory: String = NSTemporaryDirectory(),
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) {
        self.stores = stores
        self.target = target
        self.spoolDirectory = spoolDirectory
        self.shouldStop = shouldStop
    }

    /// `CALWORKER_FEEDS_TARGET` as a folder: `s3://bucket/feeds/` or `file:///srv/feeds/`.
    public static func target(_ text: String) throws(MediaError) -> MediaLocation {
        let location = try MediaLocation(text.hasSuffix("/") ? text : text + "/")
        if case .http = location { throw MediaError(.invalid, "feeds target \(location): http(s) is read-only; use s3:// or file://") }
        return location
    }

    public func location(of feed: Feed) -> MediaLocation { location(token: feed.token) }

    func location(token: String) -> MediaLocation {
        switch target {
        case .s3(let bucket, let key): .s3(bucket: bucket, key: key + token + ".ics")
        case .file(let path): .file(path: path + token + ".ics")
        case .http(let url): .http(url: url + token + ".ics")
        }
    }

    public enum Outcome: String, Sendable, Equatable {
        /// New bytes written.
        case written
        /// Rendered to the bytes already published: nothing written.
        case unchanged
        /// Nothing it depends on changed since it was published: not rendered.
        case skipped
        /// Rotated or deleted while it was being rendered: what was written is gone again.
        case superseded
    }

    /// Brings one feed's object up to date. `force` renders it whatever the fingerprint says.
    public func publish(_ feed: Feed, force: Bool = false, now: Date = Date(), on db: PostgresConnection) throws -> Outcome {
        let stored = try db.query("SELECT fingerprint, content_sha256 FROM calworker.feeds WHERE id = $1 AND token = $2", [feed.id, feed.token])
        guard let state = stored.first else { return .superseded }
        let lastFingerprint: String? = try state.decodeOptional(at: 0)
        let lastHash: String? = try state.decodeOptional(at: 1)
        if !force, lastHash != nil, let lastFingerprint,
            try db.transaction({ db in try FeedRenderer.fingerprint(feed, on: db) }) == lastFingerprint
        {
            return .skipped
        }
        let path = spoolDirectory + "/calworker-feed-\(feed.id)-\(UUID().uuidString).ics"
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw FeedError("cannot write the spool file \(path); check CALWORKER_BACKUP_SPOOL and free space")
        }
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: path)
        }
        let hasher = SHA256Hasher()
        let rendered = try FeedRenderer.render(feed, now: now, on: db) { [shouldStop] bytes in
            if shouldStop() { throw StopRequested(during: "the rendering of feed \(feed.id)") }
            bytes.withUnsafeBytes { hasher.update($0) }
            try handle.write(contentsOf: bytes)
        }
        try handle.synchronize()
        let hash = hasher.hex
        do {
            var same = false
            if hash == lastHash { same = try stores.head(location(of: feed))?.size == Int64(rendered.result.bytes) }
            if !same {
                try stores.upload(location(of: feed), file: path, sha256: hash, contentType: "text/calendar; charset=utf-8")
            }
            let recorded = try db.execute(
                """
                UPDATE calworker.feeds SET fingerprint = $3, content_sha256 = $4, content_bytes = $5, events = $6,
                       published_at = CASE WHEN $7 THEN now() ELSE coalesce(published_at, now()) END, last_error = NULL
                 WHERE id = $1 AND token = $2
                """, [feed.id, feed.token, rendered.fingerprint, hash, rendered.result.bytes, rendered.result.events, !same])
            if recorded == 0 {
                // Rotated or deleted meanwhile: its old address must not come back to life.
                try stores.delete(location(of: feed))
                return .superseded
            }
            return same ? .unchanged : .written
        } catch {
            // The token is the feed's password: an error naming its object must not show it in
            // run records and logs that read-only operators see.
            let masked = FeedError(String(describing: error).replacingOccurrences(of: feed.token, with: "<token>"))
            _ = try? db.execute(
                "UPDATE calworker.feeds SET last_error = left($3, 2000) WHERE id = $1 AND token = $2",
                [feed.id, feed.token, masked.description])
            throw masked
        }
    }

    /// Deletes a feed's object (after a rotation, or with the feed).
    public func remove(token: String) throws(MediaError) { try stores.delete(location(token: token)) }

    /// Deletes objects under the target whose token no feed holds (a feed that went with its
    /// calendar or account, a crash between steps), once older than `grace` so a feed being
    /// made now is left alone. Returns how many.
    public func removeOrphans(olderThan grace: TimeInterval = 600, now: Date = Date(), on db: PostgresConnection) throws -> Int {
        let tokens = Set(try db.query("SELECT token FROM calworker.feeds").map { row throws(PostgresError) in try row.decode(String.self, at: 0) })
        var removed = 0
        for object in try stores.list(prefix: target) {
            let name = object.location.name
            guard name.hasSuffix(".ics"), !tokens.contains(String(name.dropLast(4))),
                (object.lastModified ?? .distantPast) < now.addingTimeInterval(-grace)
            else { continue }
            try stores.delete(object.location)
            removed += 1
        }
        return removed
    }
}

/// A feed that could not be published, in words.
public struct FeedError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
