// The metrics benchmark: not a test. Prints figures and their ratio to a reference measured
// in the same run.
//
//   scripts/bench-metrics [--jobs N] [--scrapes N]
//
// 1. Instrumentation per job (what a worker slot records: started, finished, duration) against
//    the floor of three uncontended mutex increments, and as a share of a job's time at the
//    worker's measured throughput (about 20k jobs/s, 50 µs a job).
// 2. A scrape of /metrics over loopback (our HTTP server, libcurl client, a registry the size
//    of a worker running ten kinds) against /healthz on the same server: the cost of rendering.
import BenchSupport
import Foundation
import HTTPClient
import HTTPServer
import Metrics
import Synchronization

func benchInstrumentation(jobs: Int) -> (perJob: Double, floor: Double) {
    let registry = MetricsRegistry()
    let started = registry.counter("calworker_jobs_started_total", help: "h", labels: ["kind", "attempt"]).labels("noop", "first")
    let finished = registry.counter("calworker_jobs_finished_total", help: "h", labels: ["kind", "outcome"]).labels("noop", "completed")
    let duration = registry.histogram("calworker_job_duration_seconds", help: "h", labels: ["kind"], buckets: Buckets.jobSeconds).labels("noop")
    var instrumented: [Double] = []
    var raw: [Double] = []
    let first = Mutex(0)
    let second = Mutex(0)
    let third = Mutex(0)
    for _ in 0..<5 {
        instrumented.append(
            seconds {
                for index in 0..<jobs {
                    started.increment()
                    duration.observe(Double(index & 1023) * 1e-5)
                    finished.increment()
                }
            } / Double(jobs))
        raw.append(
            seconds {
                for _ in 0..<jobs {
                    first.withLock { $0 += 1 }
                    second.withLock { $0 += 1 }
                    third.withLock { $0 += 1 }
                }
            } / Double(jobs))
    }
    return (median(instrumented), median(raw))
}

/// A registry shaped like a busy worker's: ten kinds, every outcome, HTTP clients.
func workerSizedRegistry() -> MetricsRegistry {
    let registry = MetricsRegistry()
    let kinds = ["sync_account", "cleanup", "thumbnail", "backup", "notify", "noop", "k7", "k8", "k9", "k10"]
    let started = registry.counter("calworker_jobs_started_total", help: "h", labels: ["kind", "attempt"])
    let finished = registry.counter("calworker_jobs_finished_total", help: "h", labels: ["kind", "outcome"])
    let duration = registry.histogram("calworker_job_duration_seconds", help: "h", labels: ["kind"], buckets: Buckets.jobSeconds)
    let requests = registry.counter("calworker_http_requests_total", help: "h", labels: ["service", "method", "status_class"])
    let latency = registry.histogram(
        "calworker_http_request_duration_seconds", help: "h", labels: ["service", "method"],
        buckets: Buckets.requestSeconds)
    for kind in kinds {
        started.labels(kind, "first").increment(by: 1000)
        started.labels(kind, "retry").increment(by: 10)
        for outcome in ["completed", "failed", "snoozed", "discarded", "cancelled"] { finished.labels(kind, outcome).increment() }
        for value in stride(from: 0.001, to: 100, by: 0.7) { duration.labels(kind).observe(value) }
    }
    for service in ["google", "s3", "smtp", "pushgateway"] {
        for method in ["GET", "PUT", "POST", "PATCH", "DELETE"] {
            for status in ["2xx", "4xx", "5xx", "error"] { requests.labels(service, method, status).increment() }
            latency.labels(service, method).observe(0.05)
        }
    }
    return registry
}

func benchScrapes(count: Int) throws -> (metrics: Double, health: Double, bytes: Int) {
    let registry = workerSizedRegistry()
    let server = try HTTPServer(address: "127.0.0.1:0") { request in
        request.path == "/metrics"
            ? HTTPServerResponse(status: 200, contentType: PrometheusText.contentType, body: registry.render())
            : HTTPServerResponse(status: 200, body: "ok\n")
    }
    server.start()
    defer { server.stop() }
    let client = HTTPClient(service: "bench", metrics: MetricsRegistry())
    var bytes = 0
    func rate(_ path: String) throws -> Double {
        var rates: [Double] = []
        for _ in 0..<3 {
            let elapsed = try seconds {
                for _ in 0..<count {
                    let response = try client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)\(path)"))
                    guard response.status == 200 else { fatalError("scrape failed: \(response.status)") }
                    bytes = max(bytes, response.body.count)
                }
            }
            rates.append(Double(count) / elapsed)
        }
        return median(rates)
    }
    let health = try rate("/healthz")
    let metrics = try rate("/metrics")
    return (metrics, health, bytes)
}

let jobs = option("--jobs", 2_000_000)
let scrapes = option("--scrapes", 2000)
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; medians of 3-5 rounds")
let cost = benchInstrumentation(jobs: jobs)
print(
    "instrumentation per job (2 counters, 1 histogram): \(fmt(cost.perJob * 1e9, 1)) ns; "
        + "floor (3 uncontended mutex increments): \(fmt(cost.floor * 1e9, 1)) ns; ratio \(fmt(cost.perJob / cost.floor, 2))")
print("share of a job at 20,000 jobs/s (50 µs each): \(fmt(cost.perJob / 50e-6 * 100, 2)) %")
let scrape = try benchScrapes(count: scrapes)
print(
    "scrapes over loopback (libcurl → our HTTP server): /metrics \(fmt(scrape.metrics)) /s (\(scrape.bytes) bytes), "
        + "/healthz \(fmt(scrape.health)) /s; ratio \(fmt(scrape.metrics / scrape.health, 2))")
