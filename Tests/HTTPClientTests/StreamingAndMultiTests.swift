import Foundation
import HTTPClient
import HTTPServer
import Metrics
import Synchronization
import Testing

@Suite struct StreamingAndMultiTests {
    @Test func aResponseStreamsToTheSinkInPieces() throws {
        let server = try HTTPClientTests.makeServer()
        defer { server.stop() }
        var pieces = 0
        var received = [UInt8]()
        let response = try HTTPClient(service: "test", metrics: MetricsRegistry())
            .send(
                HTTPRequest(url: "http://127.0.0.1:\(server.port)/big"),
                streamingTo: { chunk in
                    pieces += 1
                    received.append(contentsOf: chunk)
                })
        #expect(response.status == 200)
        #expect(response.body.isEmpty, "the body went to the sink, not into memory")
        #expect(received.count == 100_000 && received.allSatisfy { $0 == UInt8(ascii: "x") })
        #expect(pieces > 1)
    }

    @Test func anErrorInTheSinkStopsTheTransferAndIsRethrown() throws {
        struct Full: Error {}
        let server = try HTTPClientTests.makeServer()
        defer { server.stop() }
        #expect(throws: Full.self) {
            _ = try HTTPClient(service: "test", metrics: MetricsRegistry())
                .send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/big"), streamingTo: { _ in throw Full() })
        }
    }

    @Test func anUploadIsReadFromItsSourceWithAContentLength() throws {
        let server = try HTTPClientTests.makeServer()
        defer { server.stop() }
        let payload = [UInt8]((0..<200_000).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        var echoed = [UInt8]()
        let response = try HTTPClient(service: "test", metrics: MetricsRegistry())
            .send(
                HTTPRequest(method: "PUT", url: "http://127.0.0.1:\(server.port)/upload"), upload: BytesBodySource(payload),
                streamingTo: { echoed.append(contentsOf: $0) })
        #expect(response.status == 200)
        #expect(echoed == Array("PUT /upload - ".utf8) + payload)
    }

    @Test func manyRequestsRunAtOnceOverTheMultiInterface() throws {
        let inFlight = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let server = try HTTPServer(address: "127.0.0.1:0") { request in
            let now = inFlight.add(1, ordering: .relaxed).newValue
            var seen = peak.load(ordering: .relaxed)
            while now > seen, !peak.compareExchange(expected: seen, desired: now, ordering: .relaxed).exchanged {
                seen = peak.load(ordering: .relaxed)
            }
            Thread.sleep(forTimeInterval: 0.2)
            inFlight.subtract(1, ordering: .relaxed)
            return request.path == "/missing" ? HTTPServerResponse(status: 404, body: "no") : HTTPServerResponse(status: 200, body: request.path)
        }
        server.start()
        defer { server.stop() }
        let registry = MetricsRegistry()
        let paths = (0..<12).map { "/item\($0)" } + ["/missing"]
        var requests = paths.map { HTTPRequest(url: "http://127.0.0.1:\(server.port)\($0)") }
        requests.append(HTTPRequest(url: "http://127.0.0.1:9/refused"))
        let results = HTTPClient(service: "test", metrics: registry).sendAll(requests, maxConcurrent: 6)
        #expect(results.count == 14)
        for (index, path) in paths.enumerated() {
            let response = try results[index].get()
            #expect(response.status == (path == "/missing" ? 404 : 200))
            if path != "/missing" { #expect(String(decoding: response.body, as: UTF8.self) == path, "results in request order") }
        }
        #expect(throws: HTTPError.self) { try results[13].get() }
        let concurrency = peak.load(ordering: .relaxed)
        #expect(concurrency > 1 && concurrency <= 6, "several at once, never more than asked: \(concurrency)")
        #expect(registry.render().contains(#"calworker_http_requests_total{service="test",method="GET",status_class="2xx"} 12"#))
    }
}
