import Foundation

extension Configuration {
    /// Google sends notifications only to HTTPS addresses; plain http is allowed for loopback
    /// hosts alone (the emulator, the demo).
    static func pushURLProblem(_ text: String) -> String? {
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
