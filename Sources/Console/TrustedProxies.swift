import Foundation

/// The reverse proxies whose `X-Forwarded-For` the console believes
/// (`CALWORKER_CONSOLE_TRUSTED_PROXIES`): behind one, every client's TCP peer is the proxy, so
/// the login throttle must count by the address the proxy saw. A header from anyone else is a
/// claim the client made up, and is ignored.
public struct TrustedProxies: Sendable, Equatable {
    /// Networks as (address bytes, prefix length); a single address is a full-length prefix.
    private let networks: [Network]

    private struct Network: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefix
            for (mine, theirs) in zip(bytes, address) where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if mine & mask != theirs & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    /// None: the TCP peer is the client.
    public static let none = TrustedProxies(networks: [])

    private init(networks: [Network]) { self.networks = networks }

    /// Comma-separated addresses or networks: `127.0.0.1, ::1, 10.0.0.0/8`.
    public init(_ text: String) throws(ConsoleError) {
        var networks: [Network] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.bytes(of: parts[0]) else {
                throw ConsoleError("trusted proxy '\(item)' is not an IPv4 or IPv6 address (or address/prefix)")
            }
            var prefix = bytes.count * 8
            if parts.count == 2 {
                guard let length = Int(parts[1]), (0...bytes.count * 8).contains(length), parts[1].allSatisfy(\.isNumber) else {
                    throw ConsoleError("trusted proxy '\(item)': the prefix length is 0 to \(bytes.count * 8)")
                }
                prefix = length
            }
            networks.append(Network(bytes: bytes, prefix: prefix))
        }
        self.networks = networks
    }

    public func trusts(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client a request came from: the TCP peer, or, when the peer is a trusted proxy, the
    /// nearest address in `X-Forwarded-For` (read from the right) that is not a trusted proxy
    /// itself. A header that does not read as addresses leaves the peer.
    public func client(peer: String, forwardedFor: String?) -> String {
        guard trusts(peer), let forwardedFor else { return peer }
        for hop in forwardedFor.split(separator: ",").reversed().map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard Self.bytes(of: hop) != nil else { return peer }
            if !trusts(hop) { return hop }
        }
        return peer
    }

    /// The address's bytes (4 or 16), or nil when it is not an IP address.
    static func bytes(of text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        var four = in_addr()
        if inet_pton(AF_INET, text, &four) == 1 { return withUnsafeBytes(of: &four) { Array($0) } }
        var six = in6_addr()
        if inet_pton(AF_INET6, text, &six) == 1 { return withUnsafeBytes(of: &six) { Array($0) } }
        return nil
    }
}
