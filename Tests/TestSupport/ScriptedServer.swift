import Foundation
public import HTTPServer
import Synchronization

/// A loopback HTTP server that answers what a test scripts: each request gets the next of
/// `answers`, and the last one again once they run out. It counts what it was asked.
public final class ScriptedServer: Sendable {
    private let server: HTTPServer
    private let log = RequestLog()

    /// What the server was asked, shared with its handler threads.
    private final class RequestLog: Sendable {
        let seen = Mutex<[HTTPServerRequest]>([])
    }

    public init(_ answers: [HTTPServerResponse]) throws {
        precondition(!answers.isEmpty, "a scripted server needs at least one answer")
        let log = self.log
        server = try HTTPServer(address: "127.0.0.1:0") { request in
            let index = log.seen.withLock { requests in
                requests.append(request)
                return requests.count - 1
            }
            return answers[min(index, answers.count - 1)]
        }
        server.start()
    }

    /// One answer, every time.
    public convenience init(always answer: HTTPServerResponse) throws { try self.init([answer]) }

    deinit { server.stop() }

    public var url: String { "http://127.0.0.1:\(server.port)" }
    public var requests: Int { log.seen.withLock { $0.count } }

    /// `status` with a `Retry-After` (503 Service Unavailable by default).
    public static func busy(retryAfter: String, status: Int = 503) -> HTTPServerResponse {
        HTTPServerResponse(status: status, body: "busy\n", headers: [("Retry-After", retryAfter)])
    }
}

/// `Retry-After` values a hostile or broken server sends, sorted by what calworker must make
/// of them (RFC 9110 §10.2.3: delay-seconds or an HTTP-date).
public enum HostileRetryAfter {
    /// Far longer than an attempt sleeps: the client must not wait, and the job snoozes for the
    /// hour the wait is capped at.
    public static var long: [String] {
        [
            "9223372036854775807", String(repeating: "9", count: 400), "3601", httpDate(Date().addingTimeInterval(7200)),
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ]
    }

    /// No usable wait (zero, negative, fractional, garbage, a date in the past): the client's
    /// own short backoff applies, within the attempt.
    public static let short = ["0", "-5", "1.5", "soon", "Thu, 01 Jan 1970 00:00:00 GMT"]

    /// The wait every long value comes to: the hour cap.
    public static let cap: Duration = .seconds(3600)

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
