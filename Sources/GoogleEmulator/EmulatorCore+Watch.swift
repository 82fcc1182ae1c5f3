import HTTPServer
import Synchronization

/// Push notifications: `events.watch`, `calendarList.watch` and `channels.stop`, as Google's
/// push guide describes them. The messages themselves go out from `PushDeliverer`.
extension EmulatorCore {
    static func respondPush(
        _ route: APIRoute, parameters: [String: String], request: HTTPServerRequest, email: String, apiRoot: String,
        state: inout EmulatorState
    ) throws(GoogleAPIError) -> Reply {
        let object = try body(request)
        switch route {
        case .eventsWatch:
            // As for events.list: 404 unless the account has the calendar in its list.
            let entry = try state.access(email, calendarID: parameters["calendarId"] ?? "")
            let channel = try state.watch(.events(calendarID: entry.calendarID), account: email, request: try WatchRequest(object), apiRoot: apiRoot)
            return Reply(body: channel.rendered)
        case .calendarListWatch:
            guard state.accounts[email] != nil else { throw .notFound }
            let channel = try state.watch(.calendarList(account: email), account: email, request: try WatchRequest(object), apiRoot: apiRoot)
            return Reply(body: channel.rendered)
        case .channelsStop:
            guard let id = object["id"]?.string, !id.isEmpty else { throw .required("Required parameter: id") }
            guard let resourceID = object["resourceId"]?.string, !resourceID.isEmpty else { throw .required("Required parameter: resourceId") }
            try state.stopChannel(id: id, resourceID: resourceID, account: email)
            return Reply(status: 204, body: nil)
        default:
            preconditionFailure("\(route) is not a push route")
        }
    }

    /// The API root as the request addressed it (its `Host`), so `resourceUri` works from
    /// where the client stands; the bound address when the request names none usable.
    func apiRoot(of request: HTTPServerRequest) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]".utf8)
        if let host = request.header("Host"), !host.isEmpty, host.utf8.count <= 255, host.utf8.allSatisfy(allowed.contains) {
            return "http://\(host)/calendar/v3"
        }
        return "http://127.0.0.1:\(port.load(ordering: .relaxed))/calendar/v3"
    }
}
