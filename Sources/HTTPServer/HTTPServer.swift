import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server for `/metrics`, `/healthz` and `/readyz`.
///
/// It runs on its own threads, apart from the worker's slots, so a scrape never waits for a
/// job and a job never waits for a scrape. Each connection gets a thread, at most
/// `limits.maxConnections` at once (more are answered 503 and closed at once); a client that
/// sends garbage gets 400, one that sends too slowly or not at all is cut off after
/// `limits.requestTimeout`. One request per connection.
public final class HTTPServer: Sendable {
    public struct Limits: Sendable {
        /// Time for a client to send its request head, and again to take the response.
        public var requestTimeout: Duration = .seconds(5)
        /// Largest request head accepted (request line and headers).
        public var maxHeadBytes: Int = 8192
        /// Largest request body accepted (`Content-Length` only; chunked bodies are refused).
        public var maxBodyBytes: Int = 1 << 20
        /// Connections served at once.
        public var maxConnections: Int = 16

        public init() {}
    }

    public typealias Handler = @Sendable (HTTPServerRequest) -> HTTPServerResponse

    private let socket: ListeningSocket
    private let limits: Limits
    private let handler: Handler
    private let stopped = Atomic<Bool>(false)
    private let active = Atomic<Int>(0)
    private let acceptorDone = DispatchSemaphore(value: 0)

    /// Binds now, so a taken port fails `calworker work` at start, not later.
    public init(address: String, limits: Limits = Limits(), handler: @escaping Handler) throws(HTTPServerError) {
        self.socket = try ListeningSocket(address: address)
        self.limits = limits
        self.handler = handler
    }

    /// The bound port (useful with port 0 in tests).
    public var port: Int { socket.port }

    /// Starts accepting on a background thread.
    public func start() {
        let thread = Thread { [self] in
            acceptLoop()
            acceptorDone.signal()
        }
        thread.name = "calworker-http"
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Stops accepting; connections in progress finish on their own (bounded by the timeout).
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        acceptorDone.wait()
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            var entry = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
            // Wake up every 200 ms to notice `stop()`.
            guard poll(&entry, 1, 200) > 0 else { continue }
            let client = accept(socket.descriptor, nil, nil)
            guard client >= 0 else {
                // Out of descriptors (EMFILE) leaves the connection pending and poll ready:
                // pause instead of spinning.
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            // Not inherited by `pg_dump` and other children the worker spawns.
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let connection = ServerConnection(descriptor: client, limits: limits)
            if active.add(1, ordering: .relaxed).newValue > limits.maxConnections {
                active.subtract(1, ordering: .relaxed)
                // Answer from this thread without reading: the client learns it should retry.
                connection.write(HTTPServerResponse(status: 503, body: "too many connections\n").serialized(includeBody: true))
                continue
            }
            let thread = Thread { [self] in
                serve(connection)
                active.subtract(1, ordering: .relaxed)
            }
            thread.name = "calworker-http-conn"
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    private func serve(_ connection: ServerConnection) {
        let response: HTTPServerResponse
        var includeBody = true
        switch connection.readHead() {
        case .closed:
            return
        case .timedOut:
            response = HTTPServerResponse(status: 408, body: "request not received in time\n")
        case .tooLarge:
            response = HTTPServerResponse(status: 431, body: "request head larger than \(limits.maxHeadBytes) bytes\n")
        case .head(let bytes, let rest):
            do throws(RequestHeadParser.Failure) {
                var request = try RequestHeadParser.parse(bytes)
                includeBody = request.method != "HEAD"
                if request.header("Transfer-Encoding") != nil {
                    response = HTTPServerResponse(status: 411, body: "send a Content-Length; chunked bodies are not accepted\n")
                } else if let lengthText = request.header("Content-Length") {
                    guard let length = Int(lengthText), length >= 0 else { throw RequestHeadParser.Failure.malformed("bad Content-Length") }
                    guard length <= limits.maxBodyBytes else {
                        connection.write(HTTPServerResponse(status: 413, body: "body larger than \(limits.maxBodyBytes) bytes\n")
                            .serialized(includeBody: true))
                        return
                    }
                    guard let body = connection.readBody(length: length, have: rest) else {
                        connection.write(HTTPServerResponse(status: 408, body: "request body not received in time\n").serialized(includeBody: true))
                        return
                    }
                    request.body = body
                    response = handler(request)
                } else {
                    response = handler(request)
                }
            } catch {
                switch error {
                case .unsupportedVersion:
                    response = HTTPServerResponse(status: 505, body: "only HTTP/1.0 and HTTP/1.1 are served\n")
                case .malformed(let reason):
                    response = HTTPServerResponse(status: 400, body: "bad request: \(reason)\n")
                }
            }
        }
        if response.dropsConnection { return }
        connection.write(response.serialized(includeBody: includeBody && response.status != 204 && response.status != 304))
    }
}
