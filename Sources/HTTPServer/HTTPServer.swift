import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 server for `/metrics`, `/healthz` and `/readyz` (and the Google emulator).
///
/// One thread accepts connections and reads every request head at once with `poll`, so a
/// client that sends slowly costs a descriptor and a few bytes, never a thread: the health
/// endpoints answer however many such clients hang on (a slowloris of 17 clients used to fill
/// every connection thread, and a liveness probe would have restarted a healthy worker).
/// Each connection must send its whole request within `limits.requestTimeout`; each peer
/// address may hold `maxConnectionsPerClient` unfinished connections, and the server
/// `maxConnections` in all: past either, the oldest unfinished one is closed to make room.
/// A complete request is answered on a thread of its own, at most `maxHandlers` at once (503
/// beyond), so a slow handler never blocks the others. One request per connection.
public final class HTTPServer: Sendable {
    public struct Limits: Sendable {
        /// Time for a client to send its request (head and body), and again to take the response.
        public var requestTimeout: Duration = .seconds(5)
        /// Largest request head accepted (request line and headers).
        public var maxHeadBytes: Int = 8192
        /// Largest request body accepted (`Content-Length` only; chunked bodies are refused).
        public var maxBodyBytes: Int = 1 << 20
        /// Connections still sending their request, from all clients.
        public var maxConnections: Int = 512
        /// Connections still sending their request, from one peer address.
        public var maxConnectionsPerClient: Int = 32
        /// Requests being answered at once.
        public var maxHandlers: Int = 16
        /// Complete requests that wait for a handler when all are busy, answered in arrival
        /// order; only past this many is a request refused with 503. A push receiver sets it
        /// high: Google backs off from a receiver that answers 5xx, so load must mean a short
        /// wait, not a refusal.
        public var maxQueued: Int = 0
        /// Paths answered on the reading thread itself, without waiting for a handler thread
        /// (`/healthz`): their handler must answer at once, with a small body.
        public var inlinePaths: Set<String> = []

        public init() {}
    }

    public typealias Handler = @Sendable (HTTPServerRequest) -> HTTPServerResponse

    private let socket: ListeningSocket
    private let limits: Limits
    private let handler: Handler
    private let stopped = Atomic<Bool>(false)
    /// Handler threads running, and the requests waiting for one.
    private let work = Mutex<(running: Int, waiting: [ReadLoop.Finished])>((0, []))
    private let loopDone = DispatchSemaphore(value: 0)

    /// Binds now, so a taken port fails `calworker work` at start, not later.
    public init(address: String, limits: Limits = Limits(), handler: @escaping Handler) throws(HTTPServerError) {
        self.socket = try ListeningSocket(address: address)
        self.limits = limits
        self.handler = handler
    }

    /// The bound port (useful with port 0 in tests).
    public var port: Int { socket.port }

    /// Starts serving on a background thread.
    public func start() {
        let thread = Thread { [self] in
            var loop = ReadLoop(listener: socket.descriptor, limits: limits)
            loop.run(
                until: { self.stopped.load(ordering: .relaxed) },
                inline: { request in self.limits.inlinePaths.contains(request.path) ? self.handler(request) : nil },
                dispatch: { self.dispatch($0) })
            loopDone.signal()
        }
        thread.name = "calworker-http"
        thread.stackSize = 512 << 10
        thread.start()
    }

    /// Stops accepting and reading; requests being answered finish on their own (bounded by
    /// the timeout).
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        loopDone.wait()
    }

    /// Answers what the read loop finished reading: the handler's response on a thread of its
    /// own, or a ready-made one (400, 408, 431, ...). With every handler busy the request
    /// waits its turn (up to `maxQueued`), and is refused with 503 only past that.
    private func dispatch(_ finished: ReadLoop.Finished) {
        enum Decision { case start, wait, refuse }
        let decision: Decision = work.withLock { work in
            if work.running < limits.maxHandlers {
                work.running += 1
                return .start
            }
            guard work.waiting.count < limits.maxQueued else { return .refuse }
            work.waiting.append(finished)
            return .wait
        }
        switch decision {
        case .wait: return
        case .refuse:
            finished.connection.sendOnce(
                HTTPServerResponse(status: 503, body: "too many requests at once; try again\n")
                    .serialized(includeBody: true))
            return
        case .start: break
        }
        let thread = Thread { [self] in
            var next: ReadLoop.Finished? = finished
            while let current = next {
                answer(current)
                next = work.withLock { work in
                    if work.waiting.isEmpty {
                        work.running -= 1
                        return nil
                    }
                    return work.waiting.removeFirst()
                }
            }
        }
        thread.name = "calworker-http-conn"
        thread.stackSize = 256 << 10
        thread.start()
    }

    private func answer(_ finished: ReadLoop.Finished) {
        switch finished.outcome {
        case .request(let request):
            let response = handler(request)
            if response.dropsConnection { return }
            let includeBody = request.method != "HEAD" && response.status != 204 && response.status != 304
            finished.connection.write(response.serialized(includeBody: includeBody))
        case .refused(let response):
            finished.connection.write(response.serialized(includeBody: true))
        }
    }
}
