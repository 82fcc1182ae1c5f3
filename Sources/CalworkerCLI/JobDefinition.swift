import JobQueue
import Scheduling
import Worker

extension JobDefinition {
    /// The definition at `path`, or a usage error naming the file and field.
    static func loadForCLI(path: String) throws(CLIError) -> JobDefinition {
        do {
            return try load(path: path)
        } catch {
            throw CLIError(.usage, error.description, hint: "see jobs/ for examples; check them all with: calworker jobs validate jobs/")
        }
    }

    /// Problems a worker would find only later: an unknown kind, args the kind refuses.
    func check(with registry: HandlerRegistry) -> JobDefinition.Problem? {
        do {
            try newJob.validate()
        } catch {
            return JobDefinition.Problem(path: path, field: error.field, message: error.message)
        }
        guard registry.knows(kind) else {
            return JobDefinition.Problem(
                path: path, field: "kind",
                message: "unknown job kind '\(kind)'; known kinds: \(registry.kinds.joined(separator: ", "))")
        }
        do {
            try registry.validate(kind: kind, args: args)
            return nil
        } catch {
            return JobDefinition.Problem(path: path, field: "args", message: error.message)
        }
    }
}
