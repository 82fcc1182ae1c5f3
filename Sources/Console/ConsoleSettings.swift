public import Configuration

/// `CALWORKER_CONSOLE_*`: the operator's and the reader's tokens (no operator token: no
/// console), the `Secure` cookie behind HTTPS, and the reverse proxies whose
/// `X-Forwarded-For` names the client.
public struct ConsoleSettings: ConfigurationSection {
    public var operatorToken = ""
    public var readOnlyToken = ""
    public var secureCookies = false
    /// Addresses or networks, comma-separated; empty: the TCP peer is the client.
    public var trustedProxies = ""

    public init() {}

    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        operatorToken = try reader.secret("CALWORKER_CONSOLE_TOKEN")
        readOnlyToken = try reader.secret("CALWORKER_CONSOLE_READONLY_TOKEN")
        secureCookies = try reader.flag("CALWORKER_CONSOLE_SECURE_COOKIES", default: false)
        trustedProxies = try reader.string("CALWORKER_CONSOLE_TRUSTED_PROXIES")
    }
}
