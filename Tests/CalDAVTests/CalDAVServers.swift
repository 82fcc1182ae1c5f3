import TestSupport

/// The real CalDAV servers every CalDAV test runs against: Debian's Radicale and PyPI's
/// Xandikos, each on a free loopback port with a throwaway folder.
enum CalDAVServerKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case radicale
    case xandikos

    var description: String { rawValue }

    struct Running {
        let url: String
        let stop: @Sendable () -> Void
        let log: @Sendable () -> String
    }

    func start() throws -> Running {
        switch self {
        case .radicale:
            let server = try RadicaleServer()
            return Running(url: server.url, stop: { server.stop() }, log: { server.log })
        case .xandikos:
            let server = try XandikosServer()
            return Running(url: server.url, stop: { server.stop() }, log: { server.log })
        }
    }
}
