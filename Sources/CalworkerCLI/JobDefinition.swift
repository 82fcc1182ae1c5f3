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
            try registry.validate(kind: kind, args: args)
            return nil
        } catch {
            let field = "\(error)".contains("unknown job kind") ? "kind" : "args"
            return JobDefinition.Problem(path: path, field: field, message: "\(error)")
        }
    }
}
