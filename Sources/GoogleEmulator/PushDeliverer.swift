import Foundation
import HTTPClient
import Metrics
import Synchronization

/// Sends queued push messages to their channels' addresses, on a few threads of its own so
/// one slow or dead receiver holds back only its own channel.
///
/// Each thread takes the next due message under the state lock, POSTs it outside the lock
/// (libcurl blocks the thread, with short timeouts), then records the outcome under the lock.
/// Between messages it sleeps on `PushWake` until a message is queued or the earliest retry
/// falls due.
final class PushDeliverer: Sendable {
    /// Threads sending at once.
    static let threadCount = 4
    /// Longest a receiver may take to accept the connection and to answer.
    static let connectTimeout: Duration = .seconds(2)
    static let timeout: Duration = .seconds(5)
    /// Longest sleep between looks at the queue when nothing signals (a safety net only).
    static let idleWait: Double = 1

    private let core: EmulatorCore
    private let wake: PushWake
    private let client: HTTPClient
    private let stopped = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)
    private let finished = DispatchSemaphore(value: 0)

    init(core: EmulatorCore) {
        self.core = core
        self.wake = core.pushWake
        // Google's notifications identify themselves so; receivers may log or filter on it.
        client = HTTPClient(
            service: "google-emulator-push", metrics: MetricsRegistry(),
            userAgent: "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)")
    }

    func start() {
        for index in 0..<Self.threadCount {
            running.add(1, ordering: .relaxed)
            let thread = Thread { [self] in
                run()
                finished.signal()
            }
            thread.name = "google-emulator-push-\(index)"
            thread.stackSize = 512 << 10
            thread.start()
        }
    }

    /// Stops the threads, aborting sends under way (their messages stay queued).
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        let threads = running.load(ordering: .relaxed)
        for _ in 0..<threads { wake.signal() }
        for _ in 0..<threads { finished.wait() }
    }

    private func run() {
        while !stopped.load(ordering: .relaxed) {
            let next = core.state.withLock { state in state.push.nextDelivery(now: state.now()) }
            switch next {
            case .deliver(let delivery):
                let outcome = send(delivery)
                core.state.withLock { state in state.push.settle(delivery, outcome, now: state.now(), options: state.options) }
            case .idle(let until):
                let seconds = min(max(until.map { $0.timeIntervalSinceNow } ?? Self.idleWait, 0.001), Self.idleWait)
                wake.wait(until: .now() + seconds)
            }
        }
    }

    private func send(_ delivery: PushDelivery) -> PushDelivery.Outcome {
        var request = HTTPRequest(
            method: "POST", url: delivery.address, headers: delivery.headers.map { HTTPHeader($0.name, $0.value) },
            body: Data())
        request.timeout = Self.timeout
        request.connectTimeout = Self.connectTimeout
        request.maxResponseBytes = 1 << 20
        do {
            let response = try client.send(request, shouldAbort: { self.stopped.load(ordering: .relaxed) })
            return PushDelivery.Outcome(status: response.status)
        } catch {
            switch error.kind {
            case .transport, .retryLater: return .retryable
            case .aborted: return stopped.load(ordering: .relaxed) ? .interrupted : .retryable
            case .responseTooLarge, .invalidRequest: return .refused
            }
        }
    }
}
