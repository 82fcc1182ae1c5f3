import Foundation

/// A plain TCP client for tests that must misbehave on purpose (send garbage, stall halfway)
/// or read exactly what a server sent, which a real HTTP client would not allow.
public final class RawTCPClient {
    public let descriptor: Int32

    /// Connects to 127.0.0.1:`port`.
    public init(port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectError(message: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            throw ConnectError(message: "connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    public func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server sends until it closes, or until `timeout`.
    public func readAll(timeout: Duration = .seconds(10)) -> String {
        let deadline = ContinuousClock.now + timeout
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            data.append(contentsOf: chunk[..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// One GET, the whole response (head and body) as text.
    /// `version` HTTP/1.0 asks a server that would keep the connection open and chunk its
    /// answer (Go's, the Pushgateway's) for a plain body and a close instead.
    public static func get(port: Int, path: String, timeout: Duration = .seconds(10), version: String = "HTTP/1.1") throws -> String {
        let client = try RawTCPClient(port: port)
        client.send("GET \(path) \(version)\r\nHost: 127.0.0.1\r\n\r\n")
        return client.readAll(timeout: timeout)
    }

    /// The status code of a response read by `get`, or 0 when there was none.
    public static func status(of response: String) -> Int {
        let parts = response.split(separator: " ", maxSplits: 2)
        return parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
    }

    /// The body of a response read by `get`.
    public static func body(of response: String) -> String {
        guard let range = response.range(of: "\r\n\r\n") else { return "" }
        return String(response[range.upperBound...])
    }
}

struct ConnectError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
