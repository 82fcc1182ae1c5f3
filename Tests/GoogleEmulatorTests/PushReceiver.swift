import Foundation
import HTTPServer
import Synchronization
import TestSupport

/// A webhook on loopback that records every push message it gets and answers each with the
/// next of `answers` (then `otherwise`). With `gated`, it holds each request until `open()`,
/// to play a slow receiver.
final class PushReceiver: Sendable {
    struct Message: Sendable {
        let request: HTTPServerRequest
        let arrived: ContinuousClock.Instant

        func header(_ name: String) -> String? { request.header(name) }
        var number: Int? { header("X-Goog-Message-Number").flatMap { Int($0) } }
        var state: String? { header("X-Goog-Resource-State") }
        var channelID: String? { header("X-Goog-Channel-ID") }
    }

    /// What the handler shares with the receiver.
    private final class Log: Sendable {
        let messages = Mutex<[Message]>([])
        let answers: Mutex<[Int]>
        let otherwise: Int
        let gate: DispatchSemaphore?

        init(answers: [Int], otherwise: Int, gated: Bool) {
            self.answers = Mutex(answers)
            self.otherwise = otherwise
            self.gate = gated ? DispatchSemaphore(value: 0) : nil
        }
    }

    private let log: Log
    private let server: HTTPServer

    init(answers: [Int] = [], otherwise: Int = 200, gated: Bool = false) throws {
        let log = Log(answers: answers, otherwise: otherwise, gated: gated)
        self.log = log
        server = try HTTPServer(address: "127.0.0.1:0") { request in
            log.messages.withLock { $0.append(Message(request: request, arrived: .now)) }
            if let gate = log.gate { _ = gate.wait(timeout: .now() + 10) }
            let status = log.answers.withLock { $0.isEmpty ? log.otherwise : $0.removeFirst() }
            return HTTPServerResponse(status: status, body: "")
        }
        server.start()
    }

    /// The URL to give `watch` as `address`.
    var address: String { "http://127.0.0.1:\(server.port)/notifications" }

    var messages: [Message] { log.messages.withLock { $0 } }

    /// Waits (up to `timeout` seconds) until at least `count` messages arrived.
    @discardableResult
    func waitFor(_ count: Int, timeout: Double = 10) -> Bool {
        eventually(timeout: timeout, every: 0.005) { messages.count >= count }
    }

    /// Lets a gated receiver answer everything held and everything after.
    func open() {
        for _ in 0..<64 { log.gate?.signal() }
    }

    func stop() {
        open()
        server.stop()
    }
}
