import Foundation

/// Whether an address stays on this machine: the one case calworker sends anything without
/// TLS (a mail relay on loopback, `CALWORKER_SMTP_TLS=none`).
public enum Loopback {
    /// `smtp://` to `127.0.0.0/8`, `::1` or `localhost`.
    public static func isSMTPRelay(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "smtp",
            let host = components.host?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        else { return false }
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
