import Console
import HTTPServer
import Metrics
import PushReceiver
import Worker

/// The endpoints of a long-running worker (`work --http-addr`):
/// `/metrics` (Prometheus), `/healthz` (the process answers: liveness) and `/readyz`
/// (database reachable, schema current, not shutting down: readiness), and Google's push
/// notifications (`POST` on the receiver's path) when a receiver is given, and the operator
/// console on every other path when one is given (`work --console`).
enum MonitoringServer {
    static func start(
        address: String, metrics: MetricsRegistry, probe: DatabaseProbe, receiver: PushReceiver? = nil,
        console: ConsoleApp? = nil, isStarted: @escaping @Sendable () -> Bool = { true },
        isStopping: @escaping @Sendable () -> Bool
    ) throws(CLIError) -> HTTPServer {
        let server: HTTPServer
        do {
            var limits = HTTPServer.Limits()
            // Liveness never waits for a handler thread (a readiness probe stuck on the
            // database, a slow scrape): a probe that times out restarts a healthy worker.
            limits.inlinePaths = ["/healthz"]
            if receiver != nil { limits.receivePushNotifications() }
            if console != nil { limits.maxQueued = max(limits.maxQueued, ConsoleApp.maxQueuedRequests) }
            server = try HTTPServer(address: address, limits: limits) { request in
                if let receiver, request.path == receiver.path { return receiver.respond(to: request) }
                if let console, !["/metrics", "/healthz", "/readyz"].contains(request.path) { return console.respond(to: request) }
                return respond(to: request, metrics: metrics, probe: probe, isStarted: isStarted, isStopping: isStopping)
            }
        } catch {
            throw CLIError(.usage, "--http-addr: \(error.message)", hint: "pick a free port, e.g. --http-addr 127.0.0.1:9464")
        }
        server.start()
        return server
    }

    static func respond(
        to request: HTTPServerRequest, metrics: MetricsRegistry, probe: DatabaseProbe,
        isStarted: @Sendable () -> Bool = { true }, isStopping: @Sendable () -> Bool
    ) -> HTTPServerResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPServerResponse(status: 405, body: "only GET and HEAD\n", headers: [("Allow", "GET, HEAD")])
        }
        switch request.path {
        case "/metrics":
            return HTTPServerResponse(status: 200, contentType: PrometheusText.contentType, body: metrics.render())
        case "/healthz":
            return HTTPServerResponse(status: 200, body: "ok\n")
        case "/readyz":
            if isStopping() { return HTTPServerResponse(status: 503, body: "not ready: shutting down\n") }
            if !isStarted() { return HTTPServerResponse(status: 503, body: "not ready: starting\n") }
            let (ready, reason) = probe.readiness()
            return HTTPServerResponse(status: ready ? 200 : 503, body: (ready ? "ready: " : "not ready: ") + reason + "\n")
        case "/":
            return HTTPServerResponse(status: 200, body: "calworker worker: /metrics /healthz /readyz\n")
        default:
            return HTTPServerResponse(status: 404, body: "not found; try /metrics, /healthz or /readyz\n")
        }
    }
}
