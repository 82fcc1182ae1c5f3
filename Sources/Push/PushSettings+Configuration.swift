public import Configuration
import Foundation

/// `CALWORKER_PUSH_URL` and `CALWORKER_PUSH_SAFETY_POLL`. Without a URL push is off
/// (`settings` nil): no channel is created and syncs come from polling.
public struct PushConfiguration: ConfigurationSection {
    public var settings: PushSettings?

    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        let safetyPoll = try reader.duration("CALWORKER_PUSH_SAFETY_POLL", default: .seconds(3600), in: .seconds(60) ... .seconds(7 * 86_400))
        guard let address = try reader.optional("CALWORKER_PUSH_URL") else { return }
        if let problem = Self.problem(address) { throw ConfigurationError(name: "CALWORKER_PUSH_URL", message: problem) }
        var settings = PushSettings(address: address)
        settings.safetyPoll = safetyPoll
        self.settings = settings
    }

    /// Google sends notifications only to HTTPS addresses; plain http is allowed for loopback
    /// hosts alone (the emulator, the demo).
    static func problem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return "'\(text)' is not a URL like https://calendar.example.com/push/google"
        }
        let path = URLComponents(string: text)?.percentEncodedPath ?? ""
        if ["/metrics", "/healthz", "/readyz"].contains(path) {
            return "'\(text)': the path \(path) is the worker's own endpoint; give the receiver a path of its own, like /push/google"
        }
        if scheme == "https" { return nil }
        if scheme == "http" && (host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]") { return nil }
        return "'\(text)' must be an https:// URL (Google sends notifications only over HTTPS; http is accepted for loopback hosts only)"
    }
}
