import Basics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The server's one reading thread: accepts, reads request heads (and bodies) from every
/// connection as bytes arrive, enforces the deadline and the connection caps, and hands each
/// finished request on. Owned by that thread alone.
struct ReadLoop {
    /// A connection done being read: a request to answer, or the error to answer it with.
    struct Finished: Sendable {
        enum Outcome: Sendable {
            case request(HTTPServerRequest)
            case refused(HTTPServerResponse)
        }
        let connection: ServerConnection
        let outcome: Outcome
    }

    /// A connection still sending its request.
    final class Pending {
        let connection: ServerConnection
        let peer: String
        let deadline: ContinuousClock.Instant
        var buffer: [UInt8] = []
        /// Set once the head is parsed and a body of `bodyLength` bytes is awaited.
        var request: HTTPServerRequest?
        var bodyStart = 0
        var bodyLength = 0

        init(connection: ServerConnection, peer: String, deadline: ContinuousClock.Instant) {
            self.connection = connection
            self.peer = peer
            self.deadline = deadline
        }
    }

    let listener: Int32
    let limits: HTTPServer.Limits
    /// In arrival order, oldest first.
    private var pending: [Pending] = []
    /// Connections told 408 and half-closed, read and discarded until the client closes (or a
    /// second passes): closing with unread bytes would reset the connection and could destroy
    /// the answer before the client read it.
    private var lingering: [(connection: ServerConnection, until: ContinuousClock.Instant)] = []

    init(listener: Int32, limits: HTTPServer.Limits) {
        self.listener = listener
        self.limits = limits
    }

    /// - Parameters:
    ///   - inline: the answer to a request that is answered here, on this thread; nil for
    ///     the others, which go to `dispatch`.
    mutating func run(until stopped: () -> Bool, inline: (HTTPServerRequest) -> HTTPServerResponse?, dispatch: (Finished) -> Void) {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while !stopped() {
            var entries = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            entries += pending.map { pollfd(fd: $0.connection.descriptor, events: Int16(POLLIN), revents: 0) }
            entries += lingering.map { pollfd(fd: $0.connection.descriptor, events: Int16(POLLIN), revents: 0) }
            // Wake at least every 200 ms to notice a stop, and for the nearest deadline.
            var wait: Int64 = 200
            if let nearest = pending.map(\.deadline).min() {
                let left = nearest - ContinuousClock.now
                wait = min(wait, max(0, left.wholeMilliseconds + 1))
            }
            let ready = poll(&entries, nfds_t(entries.count), Int32(wait))
            if ready < 0 && errno != EINTR { Thread.sleep(forTimeInterval: 0.05) }
            var done = Set<ObjectIdentifier>()
            var closed = Set<Int32>()
            for entry in entries.dropFirst(1 + pending.count) where entry.revents != 0 && !drain(entry.fd, into: &chunk) {
                closed.insert(entry.fd)
            }
            let now = ContinuousClock.now
            lingering.removeAll { closed.contains($0.connection.descriptor) || $0.until <= now }
            for (offset, entry) in entries.dropFirst().prefix(pending.count).enumerated() where entry.revents != 0 {
                let item = pending[offset]
                if let finished = read(item, into: &chunk) {
                    done.insert(ObjectIdentifier(item))
                    guard let finished else { continue }
                    if case .request(let request) = finished.outcome, let response = inline(request) {
                        answerAndLinger(item.connection, response, includeBody: request.method != "HEAD", now: now)
                    } else {
                        dispatch(finished)
                    }
                }
            }
            pending.removeAll { item in done.contains(ObjectIdentifier(item)) }
            // Too slow: told so here, without a thread (a slowloris brings many at once).
            let expired = pending.filter { $0.deadline <= now }
            pending.removeAll { $0.deadline <= now }
            for item in expired {
                answerAndLinger(item.connection, HTTPServerResponse(status: 408, body: "request not received in time\n"), includeBody: true, now: now)
            }
            if let first = entries.first, first.revents & Int16(POLLIN) != 0 { acceptAll() }
        }
    }

    /// Takes every connection waiting in the backlog, closing the oldest unfinished ones
    /// when a cap is reached.
    private mutating func acceptAll() {
        for _ in 0..<64 {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
            }
            guard client >= 0 else {
                // EAGAIN: the backlog is empty. EMFILE and the like: make room and try later.
                if errno == EMFILE || errno == ENFILE, !pending.isEmpty { pending.removeFirst() }
                return
            }
            // Not inherited by `pg_dump` and other children the worker spawns; never blocks the loop.
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            let peer = Self.describe(address)
            let fromPeer = pending.filter { $0.peer == peer }
            if fromPeer.count >= limits.maxConnectionsPerClient, let oldest = fromPeer.first {
                pending.removeAll { $0 === oldest }
            }
            if pending.count >= limits.maxConnections { pending.removeFirst() }
            pending.append(
                Pending(
                    connection: ServerConnection(descriptor: client, limits: limits), peer: peer,
                    deadline: ContinuousClock.now + limits.requestTimeout))
        }
    }

    /// Sends a small answer without waiting, half-closes, and keeps reading until the client
    /// closes (a second at most).
    private mutating func answerAndLinger(
        _ connection: ServerConnection, _ response: HTTPServerResponse, includeBody: Bool,
        now: ContinuousClock.Instant
    ) {
        connection.sendOnce(response.serialized(includeBody: includeBody))
        shutdown(connection.descriptor, Int32(SHUT_WR))
        lingering.append((connection, now + .seconds(1)))
    }

    /// Reads and discards what a lingering connection sent; false once it closed.
    private func drain(_ descriptor: Int32, into chunk: inout [UInt8]) -> Bool {
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { continue }
            return count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        }
    }

    /// Reads what has arrived. Nil while the request is incomplete; `.some(nil)` when the
    /// client closed; otherwise what to answer.
    private func read(_ item: Pending, into chunk: inout [UInt8]) -> Finished?? {
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(item.connection.descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
                return .some(nil)
            }
            if count == 0 { return .some(nil) }
            item.buffer.append(contentsOf: chunk[..<count])
            if let outcome = progress(item) { return .some(Finished(connection: item.connection, outcome: outcome)) }
        }
    }

    /// Whether the bytes so far make a whole request (or a refusable one).
    private func progress(_ item: Pending) -> Finished.Outcome? {
        if var request = item.request {
            guard item.buffer.count - item.bodyStart >= item.bodyLength else { return nil }
            request.body = Array(item.buffer[item.bodyStart..<item.bodyStart + item.bodyLength])
            request.peer = item.peer
            return .request(request)
        }
        guard let (end, bodyStart) = ServerConnection.headEnd(item.buffer) else {
            return item.buffer.count > limits.maxHeadBytes
                ? .refused(HTTPServerResponse(status: 431, body: "request head larger than \(limits.maxHeadBytes) bytes\n")) : nil
        }
        guard end <= limits.maxHeadBytes else {
            return .refused(HTTPServerResponse(status: 431, body: "request head larger than \(limits.maxHeadBytes) bytes\n"))
        }
        var request: HTTPServerRequest
        do throws(RequestHeadParser.Failure) {
            request = try RequestHeadParser.parse(Array(item.buffer[..<end]))
            request.peer = item.peer
        } catch {
            switch error {
            case .unsupportedVersion: return .refused(HTTPServerResponse(status: 505, body: "only HTTP/1.0 and HTTP/1.1 are served\n"))
            case .malformed(let reason): return .refused(HTTPServerResponse(status: 400, body: "bad request: \(reason)\n"))
            }
        }
        if request.header("Transfer-Encoding") != nil {
            return .refused(HTTPServerResponse(status: 411, body: "send a Content-Length; chunked bodies are not accepted\n"))
        }
        guard let lengthText = request.header("Content-Length") else { return .request(request) }
        guard let length = Int(lengthText), length >= 0 else {
            return .refused(HTTPServerResponse(status: 400, body: "bad request: bad Content-Length\n"))
        }
        guard length <= limits.maxBodyBytes else {
            return .refused(HTTPServerResponse(status: 413, body: "body larger than \(limits.maxBodyBytes) bytes\n"))
        }
        item.request = request
        item.bodyStart = bodyStart
        item.bodyLength = length
        return progress(item)
    }

    /// The peer's address without its port: what the per-client cap counts by.
    static func describe(_ address: sockaddr_storage) -> String {
        var storage = address
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let length = socklen_t(storage.ss_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let status = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            }
        }
        return status == 0 ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }
}
