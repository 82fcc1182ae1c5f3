import Foundation
import HTTPServer
import Synchronization

/// The emulator's state and request handling, apart from the server so the server's handler
/// can hold it while `GoogleEmulator` is still being initialised.
final class EmulatorCore: Sendable {
    let state: Mutex<EmulatorState>
    let clientID: String
    let clientSecret: String
    /// Signalled when a push message is queued (see `PushDeliverer`).
    let pushWake: PushWake
    /// The port the server bound, for `resourceUri` when a request names no `Host`.
    let port = Atomic<Int>(0)

    init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        let wake = PushWake()
        self.pushWake = wake
        self.state = Mutex(EmulatorState(nonce: EventID.random(), pushWake: wake))
    }

    /// A JSON answer worked out under the lock and serialized after it.
    struct Reply: Sendable {
        var status: Int
        var body: JSONValue?
        var headers: [(name: String, value: String)] = []
        var drop = false

        init(status: Int = 200, body: JSONValue?, headers: [(name: String, value: String)] = []) {
            self.status = status
            self.body = body
            self.headers = headers
        }

        init(_ error: GoogleAPIError) {
            self.init(status: error.code, body: error.json, headers: error.headers)
        }

        static let dropped: Reply = {
            var reply = Reply(status: 0, body: nil)
            reply.drop = true
            return reply
        }()

        var response: HTTPServerResponse {
            if drop { return .dropConnection }
            guard let body else {
                return HTTPServerResponse(status: status, contentType: "application/json; charset=UTF-8", bytes: [], headers: headers)
            }
            return HTTPServerResponse(status: status, contentType: "application/json; charset=UTF-8", bytes: body.serialized(), headers: headers)
        }
    }

    func handle(_ request: HTTPServerRequest) -> HTTPServerResponse {
        let path = request.path
        if path == "/token" { return handleToken(request).response }
        if path == "/admin" || path.hasPrefix("/admin/") { return handleAdmin(request).response }
        let root = "/calendar/v3/"
        if path.hasPrefix(root) { return handleAPI(request, segments: PathTemplate.segments(path.dropFirst(root.count))).response }
        return Reply(.notFound).response
    }

    /// Counts a request in the statistics.
    static func record(_ state: inout EmulatorState, method: String, route: String, reply: Reply) {
        state.stats[RequestStat(method: method, route: route, status: reply.status), default: 0] += 1
    }

    /// Draws a fault for this request; `apply` runs unless the fault answers first. With
    /// `dropAfterApply` the request is applied and then its answer is lost.
    static func withFaults(_ state: inout EmulatorState, tokenEndpoint: Bool, _ apply: (inout EmulatorState) -> Reply) -> Reply {
        switch state.faults.draw(isTokenEndpoint: tokenEndpoint) {
        case nil: return apply(&state)
        case .drop?: return .dropped
        case .dropAfterApply?:
            _ = apply(&state)
            return .dropped
        case let kind?: return Reply(kind.error!)
        }
    }
}
