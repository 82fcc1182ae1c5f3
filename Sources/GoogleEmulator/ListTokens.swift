import Foundation

/// Sync and page tokens: opaque to clients (base64url), meaningful to the emulator.
///
/// A sync token is the change sequence at the snapshot of the list that ended with it; the
/// next list returns whatever changed after it. A page token carries that snapshot, a cursor
/// (a creation or change sequence, never an offset, so writes during paging shift nothing),
/// the sync token it continues (for incremental lists) and a fingerprint of the query, so a
/// page token used with other filters is refused. Both carry the run's nonce and their
/// scope (a calendar id, or `list:<email>` for the calendar list).
enum ListTokens {
    struct Page: Sendable, Equatable {
        enum Mode: String, Sendable {
            /// A full list in creation order.
            case full
            /// Writes in change order: incremental lists and `orderBy=updated`.
            case changes
        }

        var mode: Mode
        var snapshot: Int64
        var cursor: Int64
        /// The sync token's sequence for incremental lists, else -1.
        var since: Int64
        var fingerprint: UInt64
    }

    static func syncToken(nonce: String, scope: String, seq: Int64) -> String {
        encode(["s", nonce, encode([scope]), String(seq)])
    }

    /// The sequence of a sync token, or nil for garbage, another run's or another scope's token.
    static func parseSyncToken(_ token: String, nonce: String, scope: String) -> Int64? {
        guard let parts = decode(token), parts.count == 4, parts[0] == "s", parts[1] == nonce,
            decode(parts[2]) == [scope], let seq = Int64(parts[3]), seq >= 0
        else { return nil }
        return seq
    }

    static func pageToken(nonce: String, scope: String, page: Page) -> String {
        encode([
            "p", nonce, encode([scope]), page.mode.rawValue, String(page.snapshot), String(page.cursor), String(page.since),
            String(page.fingerprint),
        ])
    }

    static func parsePageToken(_ token: String, nonce: String, scope: String) -> Page? {
        guard let parts = decode(token), parts.count == 8, parts[0] == "p", parts[1] == nonce, decode(parts[2]) == [scope],
            let mode = Page.Mode(rawValue: parts[3]), let snapshot = Int64(parts[4]), let cursor = Int64(parts[5]),
            let since = Int64(parts[6]), let fingerprint = UInt64(parts[7])
        else { return nil }
        return Page(mode: mode, snapshot: snapshot, cursor: cursor, since: since, fingerprint: fingerprint)
    }

    /// FNV-1a of the query's filters (sorted, without paging parameters).
    static func fingerprint(_ query: QueryParameters, ignoring: Set<String>) -> UInt64 {
        let canonical = query.pairs.filter { !ignoring.contains($0.name) }.map { "\($0.name)=\($0.value)" }.sorted().joined(separator: "&")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in canonical.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    private static func encode(_ parts: [String]) -> String {
        Data(parts.joined(separator: "\n").utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func decode(_ token: String) -> [String]? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
