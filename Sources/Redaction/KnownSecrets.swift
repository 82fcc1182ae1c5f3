import Foundation
import Synchronization

/// The secrets this process holds (configured ones, and OAuth tokens as they are decrypted or
/// granted), so that any text can be cleaned of them before it is stored, logged or printed.
///
/// Upstream servers echo what they were sent: a token endpoint's `error_description` quoting
/// the request put a refresh token and the client secret into `last_error`, and an API 401
/// quoting the `Authorization` header put the access token there. Redacting at the places text
/// leaves the process (logs, error columns, the terminal) catches every such path at once.
///
/// Each secret is also registered in the forms an echo takes: percent-encoded (a form body)
/// and JSON-escaped. The newest `capacity` values are kept: a long-running worker sees new
/// access tokens every hour, and the oldest have long expired.
public enum KnownSecrets {
    /// Values shorter than this are not registered: redacting every "secret" would garble
    /// text, and such values are not credentials worth the name (the credential patterns
    /// still catch them where they appear as `password=…`).
    public static let minimumLength = 8
    static let capacity = 20_000

    struct Store {
        /// Secrets (UTF-8) by their first `minimumLength` bytes, for one pass over a text.
        var byPrefix: [UInt64: [[UInt8]]] = [:]
        var order: [[UInt8]] = []
        var head = 0
        var members = Set<[UInt8]>()
    }

    private static let store = Mutex(Store())

    /// Remembers a secret value (and its encoded forms) for `redact`.
    public static func register(_ secret: String) {
        let value = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.utf8.count >= minimumLength else { return }
        let forms = Set([value, formEncoded(value), formEncoded(value, strictly: true), jsonEscaped(value)].map { Array($0.utf8) })
        store.withLock { store in
            for form in forms where store.members.insert(form).inserted {
                store.byPrefix[key(form, at: 0), default: []].append(form)
                store.order.append(form)
            }
            while store.order.count - store.head > capacity {
                let old = store.order[store.head]
                store.head += 1
                store.members.remove(old)
                store.byPrefix[key(old, at: 0)]?.removeAll { $0 == old }
            }
            if store.head > capacity {
                store.order.removeFirst(store.head)
                store.head = 0
            }
        }
    }

    /// `text` with every registered secret replaced by `[redacted]`.
    public static func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= minimumLength else { return text }
        return store.withLock { store -> String in
            guard !store.byPrefix.isEmpty else { return text }
            var output: [UInt8] = []
            var index = 0
            var copiedUpTo = 0
            while index + minimumLength <= bytes.count {
                if let candidates = store.byPrefix[key(bytes, at: index)],
                    let match = candidates.filter({ matches(bytes, at: index, $0) }).max(by: { $0.count < $1.count })
                {
                    output += bytes[copiedUpTo..<index]
                    output += Redactor.mark.utf8
                    index += match.count
                    copiedUpTo = index
                } else {
                    index += 1
                }
            }
            if copiedUpTo == 0 { return text }
            output += bytes[copiedUpTo...]
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// The `minimumLength` bytes at `start`, packed.
    private static func key(_ bytes: [UInt8], at start: Int) -> UInt64 {
        var value: UInt64 = 0
        for offset in 0..<minimumLength { value = value << 8 | UInt64(bytes[start + offset]) }
        return value
    }

    private static func matches(_ bytes: [UInt8], at start: Int, _ secret: [UInt8]) -> Bool {
        guard start + secret.count <= bytes.count else { return false }
        for offset in secret.indices where bytes[start + offset] != secret[offset] { return false }
        return true
    }

    /// As a form body carries it: everything but unreserved characters (or, `strictly`, but
    /// letters and digits) percent-encoded.
    static func formEncoded(_ text: String, strictly: Bool = false) -> String {
        var allowed = CharacterSet.alphanumerics
        if !strictly { allowed.insert(charactersIn: "-._~") }
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func jsonEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "/", with: "\\/")
    }
}
