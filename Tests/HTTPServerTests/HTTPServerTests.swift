import Foundation
import HTTPServer
import Synchronization
import TestSupport
import Testing

@Suite struct HTTPServerTests {
    static func makeServer(
        limits: HTTPServer.Limits = HTTPServer.Limits(),
        handler: @escaping HTTPServer.Handler = { request in
            request.path == "/hello"
                ? HTTPServerResponse(status: 200, body: "hi \(request.method)\n")
                : HTTPServerResponse(status: 404, body: "no\n")
        }
    ) throws -> HTTPServer {
        let server = try HTTPServer(address: "127.0.0.1:0", limits: limits, handler: handler)
        server.start()
        return server
    }

    @Test func servesARequestAndClosesTheConnection() throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let response = try RawTCPClient.get(port: server.port, path: "/hello?x=1")
        #expect(RawTCPClient.status(of: response) == 200)
        #expect(response.contains("Content-Length: 7\r\n"))
        #expect(response.contains("Connection: close\r\n"))
        #expect(RawTCPClient.body(of: response) == "hi GET\n")
        #expect(RawTCPClient.status(of: try RawTCPClient.get(port: server.port, path: "/other")) == 404)
    }

    @Test func headGetsHeadersWithoutBody() throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let client = try RawTCPClient(port: server.port)
        client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = client.readAll()
        #expect(RawTCPClient.status(of: response) == 200)
        #expect(response.contains("Content-Length: 8\r\n"))
        #expect(RawTCPClient.body(of: response) == "")
    }

    @Test(arguments: [
        "garbage\r\n\r\n", "GET\r\n\r\n", "GET /x HTTP/1.1\r\nno colon here\r\n\r\n",
        "GET nopath HTTP/1.1\r\n\r\n", "get /x HTTP/1.1\r\n\r\n", "\u{1}\u{2}\u{3}\r\n\r\n",
    ])
    func malformedRequestsGet400(request: String) throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let client = try RawTCPClient(port: server.port)
        client.send(request)
        #expect(RawTCPClient.status(of: client.readAll()) == 400)
        // And the server still serves the next client.
        #expect(RawTCPClient.status(of: try RawTCPClient.get(port: server.port, path: "/hello")) == 200)
    }

    @Test func otherProtocolVersionsGet505() throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let client = try RawTCPClient(port: server.port)
        client.send("GET /hello HTTP/2.0\r\n\r\n")
        #expect(RawTCPClient.status(of: client.readAll()) == 505)
    }

    @Test func anOversizedHeadGets431() throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let client = try RawTCPClient(port: server.port)
        client.send("GET /hello HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 20_000) + "\r\n\r\n")
        #expect(RawTCPClient.status(of: client.readAll()) == 431)
    }

    @Test func aClientThatNeverFinishesIsCutOffWhileOthersAreServed() throws {
        var limits = HTTPServer.Limits()
        limits.requestTimeout = .milliseconds(500)
        let server = try Self.makeServer(limits: limits)
        defer { server.stop() }
        let stalled = try RawTCPClient(port: server.port)
        stalled.send("GET /hello HTTP/1.1\r\nHost:")
        // Served while the stalled client holds its connection.
        #expect(RawTCPClient.status(of: try RawTCPClient.get(port: server.port, path: "/hello")) == 200)
        let started = ContinuousClock.now
        #expect(RawTCPClient.status(of: stalled.readAll()) == 408)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func requestsBeyondTheHandlerLimitGet503() throws {
        var limits = HTTPServer.Limits()
        limits.maxHandlers = 2
        let gate = Mutex(false)
        let entered = Mutex(0)
        let server = try Self.makeServer(limits: limits) { request in
            if request.path == "/slow" {
                entered.withLock { $0 += 1 }
                while !gate.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
            }
            return HTTPServerResponse(status: 200, body: "ok\n")
        }
        defer { server.stop() }
        let holders = try (0..<2).map { _ in try RawTCPClient(port: server.port) }
        for holder in holders { holder.send("GET /slow HTTP/1.1\r\n\r\n") }
        #expect(eventually(timeout: 10) { entered.withLock { $0 } == 2 }, "both handlers are busy")
        #expect(RawTCPClient.status(of: try RawTCPClient.get(port: server.port, path: "/hello")) == 503)
        gate.withLock { $0 = true }
        for holder in holders { #expect(RawTCPClient.status(of: holder.readAll()) == 200) }
    }

    @Test func unfinishedConnectionsPastTheCapMakeRoomOldestFirst() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnectionsPerClient = 3
        limits.requestTimeout = .seconds(30)
        let server = try Self.makeServer(limits: limits)
        defer { server.stop() }
        // Connected one after the other: each handshake completes before the next connect
        // returns, so the server accepts them in this order, which is what "oldest" means.
        let holders = try (0..<5).map { _ in try RawTCPClient(port: server.port) }
        for holder in holders { holder.send("GET /hello HTTP/1.1\r\n") }
        // The two oldest were closed, unanswered, to make room for the newer three.
        #expect(holders[0].readAll(timeout: .seconds(2)).isEmpty)
        #expect(holders[1].readAll(timeout: .seconds(2)).isEmpty)
        // A complete request gets its answer at once, and the newest holder can still finish.
        #expect(RawTCPClient.status(of: try RawTCPClient.get(port: server.port, path: "/hello")) == 200)
        holders[4].send("\r\n")
        #expect(RawTCPClient.status(of: holders[4].readAll()) == 200)
    }

    @Test func healthAnswersWhileFortySlowClientsTrickleTheirHeaders() throws {
        // A slowloris: 40 connections each sending a header line a second, never finishing.
        var limits = HTTPServer.Limits()
        limits.requestTimeout = .seconds(5)
        let server = try Self.makeServer(limits: limits)
        defer { server.stop() }
        let slow = try (0..<40).map { _ in try RawTCPClient(port: server.port) }
        for client in slow { client.send("GET /hello HTTP/1.1\r\n") }
        var statuses: [Int] = []
        for second in 0..<4 {
            for client in slow { client.send("X-Trickle-\(second): \(second)\r\n") }
            // A probe with a timeout of its own gets its answer (0 if it got none in time).
            statuses.append(RawTCPClient.status(of: try RawTCPClient.get(port: server.port, path: "/hello", timeout: .seconds(3))))
            Thread.sleep(forTimeInterval: 1)
        }
        #expect(statuses == [200, 200, 200, 200])
        // One peer holds at most 32 unfinished connections: the oldest were closed to make room
        // (no answer), the rest are cut off at the deadline with 408, none left hanging.
        let ends = slow.map { RawTCPClient.status(of: $0.readAll(timeout: .seconds(5))) }
        let evicted = ends.prefix { $0 == 0 }.count
        #expect(evicted > 0 && evicted <= 40 - (limits.maxConnectionsPerClient - 1), "\(ends)")
        #expect(ends.dropFirst(evicted).allSatisfy { $0 == 408 }, "\(ends)")
    }

    @Test func aSlowHandlerDoesNotBlockOtherConnections() throws {
        let gate = Mutex(false)
        let server = try Self.makeServer { request in
            if request.path == "/slow" {
                while !gate.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
            }
            return HTTPServerResponse(status: 200, body: "ok\n")
        }
        defer { server.stop() }
        let slow = try RawTCPClient(port: server.port)
        slow.send("GET /slow HTTP/1.1\r\n\r\n")
        #expect(RawTCPClient.status(of: try RawTCPClient.get(port: server.port, path: "/fast")) == 200)
        gate.withLock { $0 = true }
        #expect(RawTCPClient.status(of: slow.readAll()) == 200)
    }

    @Test(arguments: ["nonsense", "127.0.0.1", "127.0.0.1:99999", "999.1.1.1:80"])
    func badListenAddressesAreRefused(address: String) {
        #expect(throws: HTTPServerError.self) { _ = try HTTPServer(address: address) { _ in HTTPServerResponse(status: 200, body: "") } }
    }

    @Test func aTakenPortIsRefusedWithTheReason() throws {
        let first = try Self.makeServer()
        defer { first.stop() }
        let error = #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(address: "127.0.0.1:\(first.port)") { _ in HTTPServerResponse(status: 200, body: "") }
        }
        #expect(error?.message.contains("in use") == true)
    }
}
