import Foundation

/// The body of `events.watch` and `calendarList.watch` (Google's `Channel` schema), checked
/// the way Google checks it. The emulator also accepts `http://` addresses, so tests can
/// receive on loopback without TLS.
struct WatchRequest: Sendable {
    static let maxIDLength = 64
    static let maxTokenLength = 256

    let id: String
    let address: String
    let token: String?
    /// `expiration`, milliseconds since the epoch.
    let expirationMillis: Int64?
    /// `params.ttl`, seconds.
    let ttlSeconds: Int64?

    init(_ body: [String: JSONValue]) throws(GoogleAPIError) {
        guard let id = body["id"]?.string, !id.isEmpty else { throw .required("Required parameter: id") }
        guard id.count <= Self.maxIDLength else { throw .invalid("Channel id must be at most \(Self.maxIDLength) characters.") }
        let type = body["type"]?.string ?? ""
        guard type == "web_hook" || type == "webhook" else { throw .invalid("Unknown channel type: \(type)") }
        guard let address = body["address"]?.string, !address.isEmpty else { throw .required("Required parameter: address") }
        guard let url = URLComponents(string: address), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host?.isEmpty == false
        else {
            throw .invalid("WebHook callback must be an https URL (the emulator also takes http): \(address)")
        }
        var token: String?
        if let given = body["token"], given != .null {
            guard let text = given.string, text.count <= Self.maxTokenLength else {
                throw .invalid("Channel token must be a string of at most \(Self.maxTokenLength) characters.")
            }
            token = text
        }
        var ttl: Int64?
        if let params = body["params"], params != .null {
            guard let object = params.object else { throw .invalid("params must be an object of strings") }
            if let value = object["ttl"] {
                guard let seconds = Self.integer(value) else { throw .invalid("params.ttl must be a number of seconds") }
                ttl = seconds
            }
        }
        var expiration: Int64?
        if let value = body["expiration"], value != .null {
            guard let millis = Self.integer(value) else { throw .invalid("expiration must be milliseconds since the epoch") }
            expiration = millis
        }
        self.id = id
        self.address = address
        self.token = token
        self.expirationMillis = expiration
        self.ttlSeconds = ttl
    }

    /// The expiration granted at `nowMillis`: what was asked for (the earlier of `expiration`
    /// and `params.ttl`), never later than `lifetimeSeconds` from now, which is also what an
    /// unset one gets.
    func grantedExpiration(nowMillis: Int64, lifetimeSeconds: Int) throws(GoogleAPIError) -> Int64 {
        let longest = nowMillis + Int64(lifetimeSeconds) * 1000
        var requested = expirationMillis
        if let ttlSeconds {
            let byTTL = ttlSeconds > (longest - nowMillis) / 1000 ? longest : nowMillis + ttlSeconds * 1000
            requested = min(requested ?? byTTL, byTTL)
        }
        guard let requested else { return longest }
        guard requested > nowMillis else { throw .invalid("Channel expiration must be in the future.") }
        return min(requested, longest)
    }

    /// A non-negative integer given as a JSON number or a string of digits (Google's `int64`
    /// fields are strings in JSON).
    private static func integer(_ value: JSONValue) -> Int64? {
        if let number = value.int { return number >= 0 ? number : nil }
        guard let text = value.string, !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int64(text)
    }
}
