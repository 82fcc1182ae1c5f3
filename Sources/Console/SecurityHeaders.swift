/// The headers every console response carries: no script or style from anywhere but the
/// console itself and never inline (so an escaped value that slipped through still could not
/// run), no framing, no sniffing, no referrer leaving with a filtered URL, and nothing cached.
public enum SecurityHeaders {
    public static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; "
        + "form-action 'self'; frame-ancestors 'none'"

    public static let all: [(String, String)] = [
        ("Content-Security-Policy", contentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]

    /// `all` as response header fields.
    public static var fields: [(name: String, value: String)] { all.map { (name: $0.0, value: $0.1) } }
}
