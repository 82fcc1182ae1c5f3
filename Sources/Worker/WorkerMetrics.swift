import JobQueue
import Metrics

/// What a worker reports to Prometheus, following River's and Oban's telemetry: jobs
/// started (first attempt or retry) and finished by kind and outcome, their duration and how
/// long due jobs waited, claims and their latency, rescues, and the per-kind figures that
/// handlers declare. Slots busy and reconnects are read at scrape time (see `Worker+Metrics`).
struct WorkerMetrics: Sendable {
    let started: CounterFamily
    let finished: CounterFamily
    let duration: HistogramFamily
    let wait: HistogramFamily
    let claimDuration: HistogramFamily
    let rescued: CounterFamily
    /// Handler figures by kind, then figure name.
    let figures: [String: [String: (metric: Counter, scale: Double)]]

    init(_ registry: MetricsRegistry, handlers: HandlerRegistry) {
        started = registry.counter(
            "calworker_jobs_started_total",
            help: "Job attempts started, by kind and attempt (first or retry).",
            labels: ["kind", "attempt"])
        finished = registry.counter(
            "calworker_jobs_finished_total",
            help: "Job attempts finished, by kind and outcome (completed, failed, snoozed, discarded, cancelled).",
            labels: ["kind", "outcome"])
        duration = registry.histogram(
            "calworker_job_duration_seconds", help: "Time a job's handler ran, by kind.",
            labels: ["kind"], buckets: Buckets.jobSeconds)
        wait = registry.histogram(
            "calworker_job_wait_seconds",
            help: "Time from a job being due to a worker claiming it, by queue.",
            labels: ["queue"], buckets: Buckets.waitSeconds)
        claimDuration = registry.histogram(
            "calworker_claim_duration_seconds",
            help: "Time one claim statement took, by queue.",
            labels: ["queue"], buckets: Buckets.requestSeconds)
        rescued = registry.counter(
            "calworker_jobs_rescued_total",
            help: "Jobs of workers that stopped renewing their lease, put back by this worker.")
        var figures: [String: [String: (Counter, Double)]] = [:]
        for (kind, declared) in handlers.figureMetrics {
            for figure in declared {
                let counter = registry.counter(figure.metric, help: figure.help).labels()
                figures[kind, default: [:]][figure.figure] = (counter, figure.scale)
            }
        }
        self.figures = figures
    }
}

/// A slot's cached handles for the kinds it has run, so the per-job path does no label
/// lookups under the families' locks.
struct SlotMetrics {
    struct KindSeries {
        let firstAttempt: Counter
        let retry: Counter
        let duration: Histogram
        var finished: [RunOutcome: Counter] = [:]
    }

    let metrics: WorkerMetrics
    private var byKind: [String: KindSeries] = [:]

    init(_ metrics: WorkerMetrics) { self.metrics = metrics }

    mutating func series(_ kind: String) -> KindSeries {
        if let cached = byKind[kind] { return cached }
        let fresh = KindSeries(
            firstAttempt: metrics.started.labels(kind, "first"), retry: metrics.started.labels(kind, "retry"),
            duration: metrics.duration.labels(kind))
        byKind[kind] = fresh
        return fresh
    }

    mutating func started(_ job: ClaimedJob) {
        let series = series(job.kind)
        (job.attempt <= 1 ? series.firstAttempt : series.retry).increment()
    }

    mutating func finished(_ job: ClaimedJob, outcome: RunOutcome, elapsed: Duration, figures: JobFigures) {
        var series = series(job.kind)
        series.duration.observe(elapsed)
        if let counter = series.finished[outcome] {
            counter.increment()
        } else {
            let counter = metrics.finished.labels(job.kind, outcome.rawValue)
            counter.increment()
            series.finished[outcome] = counter
            byKind[job.kind] = series
        }
        if let declared = metrics.figures[job.kind] {
            for (name, value) in figures.values {
                if let target = declared[name] { target.metric.increment(by: value * target.scale) }
            }
        }
    }
}
