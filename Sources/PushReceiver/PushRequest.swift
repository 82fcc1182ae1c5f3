import Basics
import HTTPServer
import Push

/// Reads a Google notification from its `X-Goog-*` headers, refusing junk with a 4xx that
/// says what was wrong (never a 5xx: Google backs off from a receiver that answers errors).
enum PushRequest {
    /// The header value limits: Google's channel ids are at most 64 characters; the rest
    /// are small by design, and nothing longer is worth a database round trip.
    static let maxChannelID = 64
    static let maxToken = 256
    static let maxResourceID = 256

    static func parse(_ request: HTTPServerRequest) -> Result<PushMessage, Rejection> {
        guard request.method == "POST" else { return .failure(Rejection(status: 405, "notifications are POSTed")) }
        guard let channelID = value(request, "X-Goog-Channel-ID", limit: maxChannelID) else {
            return .failure(Rejection(status: 400, "X-Goog-Channel-ID is missing or not 1-\(maxChannelID) printable characters"))
        }
        guard let resourceID = value(request, "X-Goog-Resource-ID", limit: maxResourceID) else {
            return .failure(Rejection(status: 400, "X-Goog-Resource-ID is missing or not 1-\(maxResourceID) printable characters"))
        }
        guard let stateText = request.header("X-Goog-Resource-State"), let state = PushMessage.ResourceState(rawValue: stateText) else {
            return .failure(Rejection(status: 400, "X-Goog-Resource-State must be sync, exists or not_exists"))
        }
        guard let numberText = request.header("X-Goog-Message-Number"), (1...18).contains(numberText.utf8.count),
            numberText.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int64(numberText), number > 0
        else {
            return .failure(Rejection(status: 400, "X-Goog-Message-Number must be a positive whole number"))
        }
        var token: String?
        if request.header("X-Goog-Channel-Token") != nil {
            guard let presented = value(request, "X-Goog-Channel-Token", limit: maxToken) else {
                return .failure(Rejection(status: 400, "X-Goog-Channel-Token is not 1-\(maxToken) printable characters"))
            }
            token = presented
        }
        guard request.body.count <= 4096 else { return .failure(Rejection(status: 413, "a notification has no body worth reading")) }
        return .success(PushMessage(channelID: channelID, token: token, resourceID: resourceID, state: state, messageNumber: number))
    }

    /// A header of printable ASCII, 1 to `limit` characters.
    private static func value(_ request: HTTPServerRequest, _ name: String, limit: Int) -> String? {
        guard let value = request.header(name), (1...limit).contains(value.utf8.count),
            value.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return nil }
        return value
    }

    struct Rejection: Error {
        let status: Int
        let reason: String

        init(status: Int, _ reason: String) {
            self.status = status
            self.reason = reason
        }
    }
}

extension PushRequest.Rejection: CalworkerError {
    var errorCode: String { "rejected" }
    var message: String { reason }
    var isRetryable: Bool { false }
}
