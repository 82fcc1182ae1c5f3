import Basics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One accepted (non-blocking) connection: the read loop reads its request, a handler thread
/// writes the answer. The descriptor is closed in `deinit` and nowhere else.
final class ServerConnection: Sendable {
    let descriptor: Int32
    let limits: HTTPServer.Limits

    init(descriptor: Int32, limits: HTTPServer.Limits) {
        self.descriptor = descriptor
        self.limits = limits
    }

    deinit { close(descriptor) }

    /// Writes everything or gives up at the deadline (a client that does not read).
    func write(_ bytes: [UInt8]) {
        let deadline = ContinuousClock.now + limits.requestTimeout
        var offset = 0
        while offset < bytes.count {
            guard waitFor(events: Int16(POLLOUT), until: deadline) else { return }
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += sent
        }
        // Half-close, then read and discard what the client still sends for a moment
        // (nginx's "lingering close"): closing with unread bytes in the receive buffer sends
        // a reset, which can destroy the response before the client has read it.
        shutdown(descriptor, Int32(SHUT_WR))
        let lingerUntil = ContinuousClock.now + .seconds(1)
        var discarded = 0
        var sink = [UInt8](repeating: 0, count: 4096)
        while discarded < 256 << 10, waitFor(events: Int16(POLLIN), until: lingerUntil) {
            let count = sink.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            discarded += count
        }
    }

    /// One attempt to send a short answer without waiting (the read loop's thread must not
    /// block on a client that does not read); the connection closes when dropped.
    func sendOnce(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func waitFor(events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return false }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let millis = Int32(clamping: max(1, left.wholeMilliseconds))
            let ready = poll(&entry, 1, millis)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }

    /// Where the head ends (before "\r\n\r\n" or "\n\n") and where the body starts.
    static func headEnd(_ buffer: [UInt8]) -> (end: Int, bodyStart: Int)? {
        guard buffer.count >= 2 else { return nil }
        for index in 1..<buffer.count where buffer[index] == 0x0A {
            if buffer[index - 1] == 0x0A { return (index - 1, index + 1) }
            if index >= 3, buffer[index - 1] == 0x0D, buffer[index - 2] == 0x0A, buffer[index - 3] == 0x0D { return (index - 3, index + 1) }
        }
        return nil
    }
}
