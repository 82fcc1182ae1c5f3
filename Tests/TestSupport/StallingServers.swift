import Foundation
import Synchronization

/// A TCP server that accepts connections and never says a word: what a database, or any
/// server, looks like when its process is stopped or its host is partitioned after the
/// handshake. Connections are held until `stop()`.
public final class SilentServer: Sendable {
    public let port: Int
    private let listener: Int32
    private let held = Mutex<[Int32]>([])
    private let stopped = Atomic<Bool>(false)
    private let acceptorDone = DispatchSemaphore(value: 0)

    public init() throws {
        (listener, port) = try Loopback.listen()
        Loopback.acceptInBackground(listener, until: { [self] in stopped.load(ordering: .relaxed) }, done: acceptorDone) { [self] client in
            held.withLock { $0.append(client) }
        }
    }

    /// `host=127.0.0.1 port=P ...`: a libpq conninfo pointing here.
    public var conninfo: String { "host=127.0.0.1 port=\(port) user=calworker dbname=calworker sslmode=disable" }

    public var connectionsAccepted: Int { held.withLock { $0.count } }

    /// Connections whose client has sent bytes this server will never answer: a libpq client
    /// that sent its startup message and now waits for the reply.
    public var connectionsWaitingForAnAnswer: Int { held.withLock { $0.filter(Loopback.hasUnreadBytes).count } }

    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        // The listener closes only once its thread stopped polling it: the number could
        // otherwise go to another test's socket, and this thread would accept (and hold
        // silent) that server's connections.
        acceptorDone.wait()
        held.withLock {
            for fd in $0 { close(fd) }
            $0 = []
        }
        close(listener)
    }
}

/// A TCP proxy in front of the test cluster's unix socket that can be frozen: until then it
/// forwards both ways; frozen, it keeps every connection open and passes nothing on, like a
/// database that stopped answering in the middle of a session.
public final class FreezingProxy: Sendable {
    public let port: Int
    private let listener: Int32
    private let target: String
    private let frozen = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let acceptorDone = DispatchSemaphore(value: 0)
    /// The clients' ends of the live connections.
    private let clients = Mutex<[Int32]>([])

    /// - Parameter socketPath: the server's unix socket (`DIR/.s.PGSQL.5432`).
    public init(socketPath: String) throws {
        target = socketPath
        (listener, port) = try Loopback.listen()
        Loopback.acceptInBackground(listener, until: { [self] in stopped.load(ordering: .relaxed) }, done: acceptorDone) { [self] client in
            let upstream = Loopback.connectUnix(target)
            guard upstream >= 0 else {
                close(client)
                return
            }
            clients.withLock { $0.append(client) }
            let pump = Thread { [self] in self.pump(client, upstream) }
            pump.start()
        }
    }

    /// The test cluster, reached through this proxy over TCP.
    public static func inFrontOfTestCluster() throws -> FreezingProxy {
        try FreezingProxy(socketPath: TestEnvironment.clusterDirectory + "/.s.PGSQL.5432")
    }

    public func conninfo(database: String) -> String {
        "host=127.0.0.1 port=\(port) user=calworker dbname=\(database) sslmode=disable"
    }

    public func freeze() { frozen.store(true, ordering: .relaxed) }

    /// While frozen: connections on which the client sent something the server will not get,
    /// so a statement of the client's is waiting for an answer that will not come.
    public var requestsHeld: Int { clients.withLock { $0.filter(Loopback.hasUnreadBytes).count } }
    public func thaw() { frozen.store(false, ordering: .relaxed) }

    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        acceptorDone.wait()  // as in SilentServer.stop
        close(listener)
    }

    private func pump(_ a: Int32, _ b: Int32) {
        defer {
            clients.withLock { $0.removeAll { $0 == a } }
            close(a)
            close(b)
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !stopped.load(ordering: .relaxed) {
            if frozen.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: 0.02)
                continue
            }
            var entries = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
            guard poll(&entries, 2, 50) > 0 else { continue }
            for (from, to) in [(0, 1), (1, 0)] where entries[from].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(entries[from].fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { return }
                var sent = 0
                while sent < count {
                    let written = buffer[sent..<count].withUnsafeBytes { send(entries[to].fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if written <= 0 { return }
                    sent += written
                }
            }
        }
    }
}

/// Sockets for the stalling servers.
enum Loopback {
    /// Whether `fd` has bytes waiting to be read (looked at, not taken).
    static func hasUnreadBytes(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    static func listen() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && Glibc.listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw ConnectError(message: "cannot listen on loopback: \(String(cString: strerror(errno)))") }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Accepts on a thread of its own until `stopped`, handing each connection on; signals
    /// `done` when it no longer touches `listener`.
    static func acceptInBackground(
        _ listener: Int32, until stopped: @escaping @Sendable () -> Bool, done: DispatchSemaphore,
        _ accepted: @escaping @Sendable (Int32) -> Void
    ) {
        let thread = Thread {
            defer { done.signal() }
            while !stopped() {
                var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 100) > 0 else { continue }
                let client = accept(listener, nil, nil)
                if client >= 0 { accepted(client) }
            }
        }
        thread.start()
    }

    static func connectUnix(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            path.utf8CString.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(buffer.count))) }
        }
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if status != 0 {
            close(fd)
            return -1
        }
        return fd
    }
}
