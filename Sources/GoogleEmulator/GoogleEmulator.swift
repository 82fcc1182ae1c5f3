import Foundation
public import HTTPServer
import Synchronization

/// A local Google Calendar API v3 and OAuth token endpoint that behaves as Google documents:
/// sync tokens and 410 `fullSyncRequired`, paging with snapshots, etags and `If-Match`,
/// tombstones for deleted events, Google's error bodies, and switchable faults (rate limits,
/// quota, 5xx, dropped connections), and push notifications: `events.watch` and
/// `calendarList.watch` channels get `sync` and `exists` messages POSTed with Google's
/// `X-Goog-*` headers, redelivered with exponential backoff while the receiver answers 5xx,
/// until they expire or `channels.stop` (switchable loss and delay in `EmulatorOptions`).
///
/// calworker's tests start one in-process on port 0 and drive it through the methods below
/// (or the `/admin` HTTP interface, which mirrors them); the `google-emulator` executable
/// serves the same for the demo and benchmarks. State lives in memory behind one `Mutex`;
/// push messages are sent from threads of their own, outside it.
///
/// Not emulated: RRULE expansion (`singleEvents=true` is refused with 400, and a recurring
/// series' instances exist only when written or addressed by id), `events.instances`,
/// `import`, `move`, `quickAdd`, `settings.watch` and `acl.watch`, ACLs, settings, colors,
/// free/busy, and partial responses (`fields` is ignored). Push addresses may be `http://`
/// (Google insists on `https://` with a valid certificate), so tests receive on loopback.
public final class GoogleEmulator: Sendable {
    /// The API routes served, as discovery-document path templates relative to the API root.
    public static let routes: [(method: String, path: String)] = APIRoute.allCases.map { ($0.method, $0.template) }

    /// The query parameters `events.list` accepts (all declared by Google for it).
    public static let eventsListParameters: [String] = EventsListQuery.parameters

    /// The query parameters `calendarList.list` accepts.
    public static let calendarListParameters: [String] = EmulatorState.calendarListParameters

    /// The event fields kept as writers give them (all of Google's `Event` schema).
    public static let eventFields: [String] = StoredEvent.schemaFields.sorted()

    /// The admin routes, `METHOD template` below `/admin/`.
    public static let adminRoutes: [String] = EmulatorCore.adminRoutes

    public let clientID: String
    public let clientSecret: String
    let core: EmulatorCore
    private let server: HTTPServer
    private let deliverer: PushDeliverer
    private let started = Atomic<Bool>(false)

    /// Binds now (port 0: the kernel picks one); serves after `start()`.
    public init(
        address: String = "127.0.0.1:0", clientID: String = "calworker-test-client",
        clientSecret: String = "calworker-test-secret"
    ) throws {
        let core = EmulatorCore(clientID: clientID, clientSecret: clientSecret)
        var limits = HTTPServer.Limits()
        // Seeds and batches of writes are larger, and benchmarks busier, than a metrics scrape.
        limits.maxBodyBytes = 64 << 20
        limits.maxHandlers = 128
        limits.requestTimeout = .seconds(10)
        let server = try HTTPServer(address: address, limits: limits) { core.handle($0) }
        core.port.store(server.port, ordering: .relaxed)
        self.server = server
        self.deliverer = PushDeliverer(core: core)
        self.core = core
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    /// Serves, and delivers push messages (those queued before too).
    public func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        server.start()
        deliverer.start()
    }

    /// Stops serving and delivering (a send under way is abandoned; its message stays
    /// queued); a no-op when never started.
    public func stop() {
        guard started.load(ordering: .relaxed) else { return }
        server.stop()
        deliverer.stop()
    }

    public var port: Int { server.port }

    /// `http://127.0.0.1:PORT`
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The API root, as `CALWORKER_GOOGLE_API_URL` wants it: `http://127.0.0.1:PORT/calendar/v3`.
    public var apiURL: String { baseURL + "/calendar/v3" }

    /// The OAuth token endpoint, as `CALWORKER_GOOGLE_TOKEN_URL` wants it.
    public var tokenURL: String { baseURL + "/token" }

    /// Answers one request in-process, as the server would (useful without sockets).
    public func handle(_ request: HTTPServerRequest) -> HTTPServerResponse {
        core.handle(request)
    }
}
