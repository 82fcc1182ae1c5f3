import Foundation
public import HTTPServer
public import Logging
public import Metrics
public import Postgres
import Push

/// Google's push notifications in (`POST` on the path of CALWORKER_PUSH_URL, served by a
/// worker's `--http-addr` or by `calworker receive`): each is checked against its channel and,
/// for a change, turned into a queued sync of that calendar before the answer, in one
/// transaction (`PushInbox`). No Google call happens here, so the answer takes milliseconds.
///
/// Answers: 200 for everything from Google (a sync queued or joined, a duplicate, a channel
/// that is unknown or stopped: never synced; one of ours we stopped, on which Google still
/// sends, is stopped again by the account's next upkeep), 403 for a forged token or resource,
/// 4xx for junk, and 503 only when the database cannot record the notification, so Google
/// retries. A channel not in our table is not stopped: we cannot tell whose it is, and a
/// forged id must not make us call Google.
public final class PushReceiver: Sendable {
    public let path: String
    let pool: ConnectionPool
    let coalesceDelay: Duration
    let logger: Logger
    let notifications: CounterFamily

    public init(
        path: String, pool: ConnectionPool, coalesceDelay: Duration, metrics: MetricsRegistry,
        logger: Logger
    ) {
        self.path = path
        self.pool = pool
        self.coalesceDelay = coalesceDelay
        self.logger = logger
        self.notifications = metrics.counter(
            "calworker_push_notifications_total",
            help: "Push notifications received, by resource state and what became of them.",
            labels: ["state", "outcome"])
    }

    public func respond(to request: HTTPServerRequest) -> HTTPServerResponse {
        let message: PushMessage
        switch PushRequest.parse(request) {
        case .failure(let rejection):
            notifications.labels("invalid", "rejected").increment()
            var headers: [(name: String, value: String)] = []
            if rejection.status == 405 { headers.append(("Allow", "POST")) }
            return HTTPServerResponse(status: rejection.status, body: rejection.reason + "\n", headers: headers)
        case .success(let parsed):
            message = parsed
        }
        let receipt: PushReceipt
        do {
            receipt = try pool.with { db in
                try PushInbox().record(message, coalesceDelay: coalesceDelay, on: db)
            }
        } catch {
            notifications.labels(message.state.rawValue, "failed").increment()
            logger.error("push notification not recorded; Google will send it again", ["channel_id": message.channelID, "error": "\(error)"])
            return HTTPServerResponse(status: 503, body: "could not record the notification; try again\n", headers: [("Retry-After", "5")])
        }
        notifications.labels(message.state.rawValue, receipt.outcome).increment()
        switch receipt {
        case .forged(let why):
            logger.warning("push notification refused", ["channel_id": message.channelID, "reason": why])
            return HTTPServerResponse(status: 403, body: "not a notification of this channel\n")
        case .jumped:
            logger.warning(
                "push notification numbered far ahead of its channel's: synced, the channel renewed",
                ["channel_id": message.channelID, "message_number": String(message.messageNumber)])
            return HTTPServerResponse(status: 200, body: receipt.outcome + "\n")
        case .unknownChannel, .stoppedChannel, .stopAgain:
            logger.notice("push notification for a channel not in use", ["channel_id": message.channelID, "outcome": receipt.outcome])
            return HTTPServerResponse(status: 200, body: "ignored: \(receipt.outcome)\n")
        default:
            return HTTPServerResponse(status: 200, body: receipt.outcome + "\n")
        }
    }
}

extension HTTPServer.Limits {
    /// A server that receives Google's notifications (a worker's `--http-addr`, `calworker
    /// receive`): notifications wait their turn rather than draw a 503 (Google backs off
    /// from 5xx), arrive through one reverse proxy (so one peer address holds many
    /// connections), and carry no body worth more than a few bytes.
    public mutating func receivePushNotifications() {
        maxHandlers = max(maxHandlers, 32)
        maxQueued = max(maxQueued, 4096)
        maxConnectionsPerClient = max(maxConnectionsPerClient, 256)
        maxBodyBytes = min(maxBodyBytes, 64 << 10)
    }
}
