/// The one rule for a queue's name, wherever one enters (enqueue, a job file, `work --queues`,
/// `queue pause` and `resume`, the console): 1 to 64 ASCII letters, digits, `_` or `-`. Pause
/// once took names enqueue refused (`..`, `a/b`, `default ` with its space), which no job could
/// be in and the console could not resume; the table holds the same rule since schema 20.
public enum QueueName {
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x5F || $0 == 0x2D
            }
    }

    /// Throws `.invalidJob` naming the name and the rule.
    public static func check(_ name: String) throws(JobQueueError) {
        guard isValid(name) else {
            throw JobQueueError(.invalidJob, "queue '\(NewJob.clipped(name))' must be 1-64 letters, digits, '_' or '-'", field: "queue")
        }
    }
}
