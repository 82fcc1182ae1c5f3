/// Finds `nextPageToken` and `nextSyncToken` among the top-level members of an events.list
/// page without parsing the page: one pass over the bytes, tracking nesting and skipping
/// strings (with their escapes), so a key of the same name inside an event (a user's
/// extended property, say) is never mistaken for the page's own.
///
/// The page's items are then read once, by PostgreSQL, straight into the local copy.
enum PageTokens {
    struct Found: Equatable {
        var nextPageToken: String?
        var nextSyncToken: String?
        /// Whether the top-level `items` is an array; nil when there is no `items`.
        var itemsIsArray: Bool?
        /// Whether that array is empty (`[]`).
        var itemsEmpty = false
        /// The body is a JSON object with balanced nesting (a cheap sanity check; PostgreSQL
        /// validates it fully when it stores the page).
        var wellFormed: Bool
    }

    static func scan(_ bytes: UnsafeRawBufferPointer) -> Found {
        var found = Found(nextPageToken: nil, nextSyncToken: nil, itemsIsArray: nil, itemsEmpty: false, wellFormed: false)
        var depth = 0
        var index = 0
        let count = bytes.count
        var sawObject = false
        /// The key just read at depth 1, waiting for its value.
        var pendingKey: String?
        var expectingKey = false
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let start = index + 1
                var end = start
                var escaped = false
                while end < count {
                    let current = bytes[end]
                    if escaped {
                        escaped = false
                    } else if current == UInt8(ascii: "\\") {
                        escaped = true
                    } else if current == UInt8(ascii: "\"") {
                        break
                    }
                    end += 1
                }
                guard end < count else { return found }
                if depth == 1 {
                    if expectingKey {
                        pendingKey = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                        expectingKey = false
                    } else if let key = pendingKey {
                        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                        if key == "nextPageToken" { found.nextPageToken = value }
                        if key == "nextSyncToken" { found.nextSyncToken = value }
                        if key == "items" { found.itemsIsArray = false }
                        pendingKey = nil
                    }
                }
                index = end
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 0 {
                    guard byte == UInt8(ascii: "{"), !sawObject else { return found }
                    sawObject = true
                    expectingKey = true
                }
                if depth == 1 {
                    if pendingKey == "items" {
                        found.itemsIsArray = byte == UInt8(ascii: "[")
                        var next = index + 1
                        while next < count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 }
                        found.itemsEmpty = byte == UInt8(ascii: "[") && next < count && bytes[next] == UInt8(ascii: "]")
                    }
                    pendingKey = nil
                }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth < 0 { return found }
            case UInt8(ascii: ","):
                if depth == 1 {
                    expectingKey = true
                    pendingKey = nil
                }
            default:
                // A number, true, false or null as the value of a top-level key.
                if depth == 1, pendingKey == "items", !expectingKey, byte > 0x20, byte != UInt8(ascii: ":") {
                    found.itemsIsArray = false
                    pendingKey = nil
                }
            }
            index += 1
        }
        found.wellFormed = sawObject && depth == 0
        return found
    }
}
