import DAV
import Foundation

/// What changed in a collection since a sync-token (RFC 6578).
public struct CalDAVChanges: Sendable, Equatable {
    public struct Changed: Sendable, Equatable {
        /// The member's full URL.
        public var url: String
        public var etag: String?
    }

    public var changed: [Changed]
    /// Members gone since the token (their full URLs).
    public var removed: [String]
    /// The token to send next time.
    public var token: String?
    /// The server answered with part of the changes (507 on the collection): ask again with
    /// the new token for the rest.
    public var truncated: Bool
}

/// A calendar object as a server holds it: its URL, its ETag, its iCalendar text.
public struct CalDAVObject: Sendable, Equatable {
    public var url: String
    public var etag: String?
    public var data: String
}

/// Reads one calendar collection: the changes since a sync-token (`sync-collection`), and the
/// objects themselves (`calendar-multiget`), in batches.
public struct CalDAVCollectionClient: Sendable {
    public let client: DAVClient
    /// Hrefs per calendar-multiget: a few hundred objects are a few hundred kB.
    public var batchSize = 250

    public init(client: DAVClient) { self.client = client }

    /// Changes since `token` (nil: every member, the first sync). An invalid or expired token
    /// is `.syncTokenInvalid`: list in full and reconcile, as for Google's 410.
    public func changes(in collection: String, since token: String?) throws(CalDAVError) -> CalDAVChanges {
        let answer = try client.multistatus(
            "REPORT", collection, depth: nil,
            body: """
                <?xml version="1.0" encoding="utf-8"?>
                <d:sync-collection xmlns:d="DAV:"><d:sync-token>\(Self.escaped(token ?? ""))</d:sync-token><d:sync-level>1</d:sync-level>
                <d:prop><d:getetag/></d:prop></d:sync-collection>
                """)
        var changes = CalDAVChanges(changed: [], removed: [], token: answer.syncToken, truncated: false)
        for response in answer.responses {
            let url = try client.resolve(response.href, against: collection)
            if Self.sameCollection(url, collection) {
                if response.status == 507 { changes.truncated = true }
                continue
            }
            if response.status == 404 || response.status == 410 {
                changes.removed.append(url)
            } else if response.status == nil || response.status == 200 {
                changes.changed.append(CalDAVChanges.Changed(url: url, etag: response.property(Multistatus.dav, "getetag")?.trimmedText))
            }
        }
        guard changes.token?.isEmpty == false else {
            throw CalDAVError(.malformed, "REPORT \(collection): a sync-collection answer without a sync-token")
        }
        return changes
    }

    /// The objects at `urls`, with their ETags; members gone meanwhile are left out.
    public func objects(_ urls: [String], in collection: String) throws(CalDAVError) -> [CalDAVObject] {
        var objects: [CalDAVObject] = []
        var start = 0
        while start < urls.count {
            let batch = urls[start..<min(urls.count, start + batchSize)]
            start += batchSize
            let hrefs = batch.map { "<d:href>\(Self.escaped(Self.path($0)))</d:href>" }.joined()
            let answer = try client.multistatus(
                "REPORT", collection, depth: "1",
                body: """
                    <?xml version="1.0" encoding="utf-8"?>
                    <c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
                    <d:prop><d:getetag/><c:calendar-data/></d:prop>\(hrefs)</c:calendar-multiget>
                    """)
            for response in answer.responses {
                guard let data = response.property(Multistatus.caldav, "calendar-data")?.text else { continue }
                objects.append(
                    CalDAVObject(
                        url: try client.resolve(response.href, against: collection), etag: response.property(Multistatus.dav, "getetag")?.trimmedText,
                        data: data))
            }
        }
        return objects
    }

    /// The path of a full URL (what an href in a request names).
    static func path(_ url: String) -> String {
        guard let origin = DAVClient.origin(of: url), url.count > origin.count else { return url }
        let rest = url.dropFirst(url.distance(from: url.startIndex, to: url.range(of: "://")!.upperBound))
        return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }

    static func sameCollection(_ a: String, _ b: String) -> Bool {
        func trimmed(_ text: String) -> String { text.hasSuffix("/") ? String(text.dropLast()) : text }
        return trimmed(a) == trimmed(b)
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
