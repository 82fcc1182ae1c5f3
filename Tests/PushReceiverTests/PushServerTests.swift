import Foundation
import HTTPServer
import Metrics
import PushReceiver
import Synchronization
import TestSupport
import Testing

/// The receiver behind a real HTTP server shaped like a worker's: load means a short wait,
/// never a 5xx, and an oversized request is refused by the server itself.
struct PushServerTests {
    func serve(_ fixture: PushFixture) throws -> HTTPServer {
        var limits = HTTPServer.Limits()
        limits.receivePushNotifications()
        limits.maxHandlers = 4  // fewer than the clients: the rest must wait, not be refused
        let receiver = fixture.receiver
        let server = try HTTPServer(address: "127.0.0.1:0", limits: limits) { receiver.respond(to: $0) }
        server.start()
        return server
    }

    func post(port: Int, headers: [(String, String)], body: String = "") -> Int {
        guard let client = try? RawTCPClient(port: port) else { return 0 }
        var head = "POST /push/google HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        client.send(head + "\r\n" + body)
        return RawTCPClient.status(of: client.readAll())
    }

    @Test func twoHundredNotificationsAtOnceAreAllAnswered200() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        let server = try serve(fixture)
        defer { server.stop() }
        let numbers = Atomic<Int>(0)
        let statuses = SharedList<Int>()
        concurrently(40) { _ in
            for _ in 0..<5 {
                let number = numbers.add(1, ordering: .relaxed).newValue
                statuses.append(
                    post(
                        port: server.port,
                        headers: [
                            ("X-Goog-Channel-ID", "ch-1"), ("X-Goog-Channel-Token", "tok-secret-1"), ("X-Goog-Resource-ID", "res-1"),
                            ("X-Goog-Resource-State", "exists"), ("X-Goog-Message-Number", String(number)),
                        ]))
            }
        }
        #expect(statuses.values.count == 200)
        #expect(statuses.values.allSatisfy { $0 == 200 }, "statuses: \(Dictionary(grouping: statuses.values, by: { $0 }).mapValues(\.count))")
        #expect(try fixture.syncJobs().count <= 2)
    }

    @Test func anOversizedBodyIsRefusedBeforeTheReceiverSeesIt() throws {
        let fixture = try PushFixture()
        try fixture.channel("ch-1")
        let server = try serve(fixture)
        defer { server.stop() }
        let status = post(
            port: server.port,
            headers: [
                ("X-Goog-Channel-ID", "ch-1"), ("X-Goog-Channel-Token", "tok-secret-1"), ("X-Goog-Resource-ID", "res-1"),
                ("X-Goog-Resource-State", "exists"), ("X-Goog-Message-Number", "1"),
            ], body: String(repeating: "x", count: 200_000))
        #expect(status == 413)
        #expect(try fixture.syncJobs().isEmpty)
    }
}
