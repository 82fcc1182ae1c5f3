import Metrics

/// What every HTTP client reports, by service (`google`, `s3`, `pushgateway`, ...): requests
/// by method and status class, their latency, retries and rate-limit backoffs.
struct HTTPClientMetrics: Sendable {
    let requests: CounterFamily
    let duration: HistogramFamily
    let retries: CounterFamily
    let rateLimitBackoffs: CounterFamily

    init(_ registry: MetricsRegistry) {
        requests = registry.counter(
            "calworker_http_requests_total",
            help: "HTTP requests to external services, by service, method and status class (error: no response).",
            labels: ["service", "method", "status_class"])
        duration = registry.histogram(
            "calworker_http_request_duration_seconds",
            help: "Time from sending an HTTP request to its last response byte.",
            labels: ["service", "method"], buckets: Buckets.requestSeconds)
        retries = registry.counter(
            "calworker_http_retries_total",
            help: "HTTP requests sent again, by service and reason (rate_limited, server_error, transport).",
            labels: ["service", "reason"])
        rateLimitBackoffs = registry.counter(
            "calworker_rate_limit_backoffs_total",
            help: "Times a client waited because a service said it was over its rate limit.",
            labels: ["service"])
    }
}
