/// Thrown by long CPU-bound work (planning, rendering, a run over many owners) when the job it
/// serves was cancelled, ran past its timeout, or the worker is stopping: such work checks
/// between steps, so a job's timeout stops it, not only its network calls.
public struct StopRequested: CalworkerError, Equatable {
    /// What was under way, for the message.
    public let during: String

    public init(during: String) { self.during = during }

    public var errorCode: String { "stopped" }
    public var message: String { "stopped during \(during): the job was cancelled, timed out, or the worker is stopping" }
    /// Stopping is the worker's decision, not the work's fault.
    public var isRetryable: Bool { true }
}
