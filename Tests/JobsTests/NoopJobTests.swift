import Foundation
import JobArgs
import JobQueue
import Jobs
import Logging
import Testing
import Worker

@Suite struct NoopJobTests {
    let registry = JobKinds.registry()

    @Test(arguments: [#"{}"#, #"{"sleep_ms": 0}"#, #"{"sleep_ms": 5, "fail": "retry"}"#, #"{"fail": "discard"}"#])
    func acceptsWellFormedArgs(args: String) throws {
        #expect(throws: Never.self) { try registry.validate(kind: "noop", args: args) }
        #expect(registry.defaultUniqueKey(kind: "noop", args: args) == nil, "noop jobs may pile up: no key of their own")
    }

    @Test(arguments: [#"[]"#, #"{"sleep_ms": "x"}"#, #"{"sleep_ms": -1}"#, #"{"fail": "maybe"}"#, "not json"])
    func refusesMalformedArgs(args: String) {
        #expect(throws: JobArgsError.self) { try registry.validate(kind: "noop", args: args) }
    }

    @Test func unknownKindsAreNamedWithTheKnownOnes() {
        #expect { try registry.validate(kind: "sync_everything", args: "{}") } throws: { error in
            "\(error)".contains("unknown job kind 'sync_everything'") && "\(error)".contains("noop")
        }
    }

    @Test func sleepStopsEarlyWhenAskedTo() throws {
        let signal = StopSignal()
        let job = ClaimedJob(
            id: 1, kind: "noop", queue: "default", args: "{}", attempt: 1, maxAttempts: 1, priority: 0,
            timeout: nil, startedAt: Date(), dueAt: Date())
        let context = JobContext(
            job: job, logger: .disabled, stopSignal: signal, deadline: .now + .seconds(60),
            connectionProvider: { throw JobArgsError("no database in this test") })
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { signal.stop(.cancelRequested) }
        let start = Date()
        #expect(throws: JobStopped.self) { _ = try NoopJob().run(NoopJob.Args(sleepMs: 30_000, fail: nil), context: context) }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(signal.current == .cancelRequested)
    }

    @Test func aLongSleepLogsProgressAtTheIntervalWithTheJobsKeys() throws {
        let handler = InMemoryLogHandler()
        let job = ClaimedJob(
            id: 42, kind: "noop", queue: "default", args: "{}", attempt: 2, maxAttempts: 3, priority: 0,
            timeout: nil, startedAt: Date(), dueAt: Date())
        let context = JobContext(
            job: job, logger: Logger(level: .info, handler: handler), stopSignal: StopSignal(),
            deadline: .now + .seconds(60), progressInterval: .milliseconds(100),
            connectionProvider: { throw JobArgsError("no database in this test") })
        _ = try NoopJob().run(NoopJob.Args(sleepMs: 550), context: context)
        let lines = handler.records.filter { $0.message == "job progress" }
        // 550 ms at one line per 100 ms: about five, never one per loop turn (55).
        #expect((3...6).contains(lines.count), "\(lines.count) progress lines")
        #expect(lines.allSatisfy { $0.metadata["job_id"] == "42" && $0.metadata["kind"] == "noop" && $0.metadata["attempt"] == "2" })
        let slept = lines.compactMap { $0.metadata["slept_ms"].flatMap(Int.init) }
        #expect(slept == slept.sorted() && (slept.first ?? 0) >= 100)
    }
}
