public import Basics
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
    /// Checked once, with the reason when it cannot be used: a URL that is not a media
    /// location (an S3 bucket name S3 refuses), http(s) (read-only), a `file://` folder outside
    /// `mediaRoot` or without one. Commands and jobs report that reason, never "no target".
    public static func target(_ text: String, mediaRoot: String?) throws(MediaError) -> MediaLocation {
        let location = try MediaLocation(text.hasSuffix("/") ? text : text + "/")
        if case .http = location { throw MediaError(.invalid, "feeds target \(location): http(s) is read-only; use s3:// or file://") }
        try MediaStores.check(location, mediaRoot: mediaRoot)
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
        // Recorded before anything is written: only what calworker recorded is ever swept.
        try record(location(of: feed), token: feed.token, on: db)
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
                try remove(token: feed.token, on: db)
                return .superseded
            }
            return same ? .unchanged : .written
        } catch {
            // The token is the feed's password: an error naming its object must not show it in
            // run records and logs that read-only operators see.
            let masked = FeedError(masking: error, token: feed.token)
            _ = try? db.execute(
                "UPDATE calworker.feeds SET last_error = left($3, 2000) WHERE id = $1 AND token = $2",
                [feed.id, feed.token, masked.description])
            throw masked
        }
    }

    /// Deletes a feed's object under the target, and its record (after a rotation, or before
    /// the feed itself goes). A 404 is success: the object is gone either way.
    public func remove(token: String, on db: PostgresConnection) throws {
        let object = location(token: token)
        try stores.delete(object)
        try db.execute("DELETE FROM calworker.feed_objects WHERE location = $1", [object.description])
    }

    /// Notes that calworker writes (or wrote) `object` for the feed with `token`.
    func record(_ object: MediaLocation, token: String, on db: PostgresConnection) throws {
        try db.execute(
            """
            INSERT INTO calworker.feed_objects (location, token) VALUES ($1, $2)
            ON CONFLICT (location) DO UPDATE SET token = EXCLUDED.token, written_at = now()
            """, [object.description, token])
    }

    /// What a sweep did.
    public struct Sweep: Sendable, Equatable {
        /// Objects deleted (or found gone) whose feed no longer holds them.
        public var removed = 0
        /// Records that name no location calworker can use (another program wrote them): left.
        public var unreadable = 0

        public init(removed: Int = 0, unreadable: Int = 0) {
            self.removed = removed
            self.unreadable = unreadable
        }
    }

    /// Deletes the objects calworker recorded writing that no feed holds any more (a feed that
    /// went with its calendar or account, an address rotated while the store was down, a feed
    /// published under an earlier target), once older than `grace` so a feed being made now
    /// is left alone. Only recorded objects are ever deleted: never what a listing of the
    /// target shows, which may hold files calworker did not write.
    public func removeOrphans(olderThan grace: TimeInterval = 600, now: Date = Date(), on db: PostgresConnection) throws -> Sweep {
        let held = Set(
            try db.query("SELECT token FROM calworker.feeds").map { row throws(PostgresError) in
                location(token: try row.decode(String.self, at: 0)).description
            })
        var sweep = Sweep()
        let records = try db.query(
            "SELECT location FROM calworker.feed_objects WHERE written_at < $1 ORDER BY location", [now.addingTimeInterval(-grace)])
        for row in records {
            let text: String = try row.decode(at: 0)
            guard !held.contains(text) else { continue }
            guard let object = try? MediaLocation(text), object.name.hasSuffix(".ics") else {
                sweep.unreadable += 1
                continue
            }
            try stores.delete(object)
            try db.execute("DELETE FROM calworker.feed_objects WHERE location = $1", [text])
            sweep.removed += 1
        }
        return sweep
    }
}

/// A feed that could not be published, in words, and whether trying again may help: a store
/// that is down passes, a target outside the media root does not. (It kept no such word once,
/// so the worker retried what it should have discarded.)
public struct FeedError: CalworkerError {
    public let message: String
    public let isRetryable: Bool
    public let requestedWait: Duration?

    public init(_ message: String, retryable: Bool = true, requestedWait: Duration? = nil) {
        self.message = message
        self.isRetryable = retryable
        self.requestedWait = requestedWait
    }

    /// `error`'s words with the feed's token masked, keeping what `error` says about retrying.
    init(masking error: any Error, token: String) {
        let failure = error as? any CalworkerError
        self.init(
            String(describing: error).replacingOccurrences(of: token, with: "<token>"), retryable: failure?.isRetryable ?? true,
            requestedWait: failure?.requestedWait)
    }

    public var errorCode: String { isRetryable ? "feed_unavailable" : "feed_refused" }
}
