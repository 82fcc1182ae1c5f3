import Testing

@testable import Metrics

@Suite struct PrometheusTextTests {
    @Test func countersHaveHelpAndTypeOnceAndSortedSeries() {
        let registry = MetricsRegistry()
        let jobs = registry.counter("calworker_jobs_finished_total", help: "Jobs finished.", labels: ["kind", "outcome"])
        jobs.labels("sync", "failed").increment()
        jobs.labels("noop", "completed").increment(by: 3)
        jobs.labels("noop", "completed").increment()
        #expect(
            registry.render() == """
                # HELP calworker_jobs_finished_total Jobs finished.
                # TYPE calworker_jobs_finished_total counter
                calworker_jobs_finished_total{kind="noop",outcome="completed"} 4
                calworker_jobs_finished_total{kind="sync",outcome="failed"} 1

                """)
    }

    @Test func counterIgnoresNegativeAndNonFiniteAmounts() {
        let counter = MetricsRegistry().counter("x_total", help: "x").labels()
        counter.increment(by: 2.5)
        counter.increment(by: -1)
        counter.increment(by: .nan)
        counter.increment(by: .infinity)
        #expect(counter.current == 2.5)
    }

    @Test func unlabelledFamiliesExportZeroBeforeAnyUse() {
        let registry = MetricsRegistry()
        _ = registry.gauge("calworker_worker_slots_busy", help: "Busy slots.")
        #expect(registry.render().contains("\ncalworker_worker_slots_busy 0\n"))
    }

    @Test func labelValuesAndHelpAreEscaped() {
        let registry = MetricsRegistry()
        let family = registry.gauge("g", help: "a \\ backslash\nand a newline", labels: ["v"])
        family.labels("quote \" backslash \\ newline \n crlf \r\n end").set(1)
        let text = registry.render()
        #expect(text.contains(#"# HELP g a \\ backslash\nand a newline"#))
        #expect(text.contains(#"g{v="quote \" backslash \\ newline \n crlf "# + "\r" + #"\n end"} 1"#))
    }

    @Test func histogramBucketsAreCumulativeWithInfSumAndCount() {
        let registry = MetricsRegistry()
        let family = registry.histogram("calworker_job_duration_seconds", help: "Job time.", labels: ["kind"], buckets: [0.1, 1, 10])
        let histogram = family.labels("noop")
        for value in [0.05, 0.1, 0.5, 5, 50] { histogram.observe(value) }
        histogram.observe(.nan)
        #expect(
            registry.render() == """
                # HELP calworker_job_duration_seconds Job time.
                # TYPE calworker_job_duration_seconds histogram
                calworker_job_duration_seconds_bucket{kind="noop",le="0.1"} 2
                calworker_job_duration_seconds_bucket{kind="noop",le="1"} 3
                calworker_job_duration_seconds_bucket{kind="noop",le="10"} 4
                calworker_job_duration_seconds_bucket{kind="noop",le="+Inf"} 5
                calworker_job_duration_seconds_sum{kind="noop"} 55.65
                calworker_job_duration_seconds_count{kind="noop"} 5

                """)
    }

    @Test func histogramObservesDurationsInSeconds() {
        let histogram = MetricsRegistry().histogram("h_seconds", help: "h", buckets: [1]).labels()
        histogram.observe(Duration.milliseconds(1500))
        #expect(histogram.current.sum == 1.5)
        #expect(histogram.current.counts == [0])
    }

    @Test(arguments: [
        (3.0, "3"), (0.005, "0.005"), (-2.0, "-2"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
        (Double.nan, "NaN"), (1e20, "1e+20"), (2.5e-7, "2.5e-07"),
    ])
    func numbersUseGoCompatibleSpelling(value: Double, text: String) {
        #expect(PrometheusText.number(value) == text)
    }

    @Test func seriesBeyondTheLimitShareAnOverflowSeries() {
        let registry = MetricsRegistry(seriesLimit: 2)
        let family = registry.counter("c_total", help: "c", labels: ["id"])
        family.labels("1").increment()
        family.labels("2").increment()
        family.labels("3").increment()
        family.labels("4").increment()
        family.labels("1").increment()
        let lines = registry.render().split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == [#"c_total{id="1"} 2"#, #"c_total{id="2"} 1"#, #"c_total{id="overflow"} 2"#])
    }

    @Test func registeringTheSameFamilyTwiceSharesIt() {
        let registry = MetricsRegistry()
        registry.counter("a_total", help: "a", labels: ["x"]).labels("1").increment()
        registry.counter("a_total", help: "a", labels: ["x"]).labels("1").increment()
        #expect(registry.counter("a_total", help: "a", labels: ["x"]).labels("1").current == 2)
    }

    @Test func collectorsAddFamiliesButCannotShadowOwnOnes() {
        let registry = MetricsRegistry()
        registry.gauge("b", help: "own").labels().set(1)
        registry.addCollector {
            [
                .gauge("a", help: "collected", [([MetricLabel("queue", "default")], 7)]),
                .gauge("b", help: "shadow", [([], 99)]),
            ]
        }
        #expect(
            registry.render() == """
                # HELP a collected
                # TYPE a gauge
                a{queue="default"} 7
                # HELP b own
                # TYPE b gauge
                b 1

                """)
    }

    @Test func namesFollowPrometheusRules() {
        #expect(MetricName.isValidMetric("calworker_jobs_total"))
        #expect(MetricName.isValidMetric("a:b"))
        #expect(!MetricName.isValidMetric("1abc"))
        #expect(!MetricName.isValidMetric("a-b"))
        #expect(!MetricName.isValidMetric(""))
        #expect(MetricName.isValidLabel("status_class"))
        #expect(!MetricName.isValidLabel("__reserved"))
        #expect(!MetricName.isValidLabel("a:b"))
    }
}
