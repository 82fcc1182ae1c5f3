import Configuration
import Foundation
import Scheduling

enum JobsCommand {
    static let command = Command(
        name: "jobs",
        summary: "Check job definition files: fields, kinds, args and schedules",
        usage: "jobs validate [DIR]",
        details: """
            Reads every *.json in DIR (default CALWORKER_JOBS_DIR, else jobs/) the way enqueue --file and
            the scheduler will, and checks each kind exists, its args are ones the kind accepts, and its
            schedule is a valid cron expression. Prints each definition and its next run; exit 2 with
            the file and field when any is wrong. Needs no database.
            """,
        options: []
    ) { arguments, context in
        guard arguments.positionals.first == "validate" else { throw CLIError(.usage, "usage: calworker jobs validate [DIR]") }
        let directory = arguments.positionals.count > 1 ? arguments.positionals[1] : context.settings.schedule.jobsDirectory
        var problems: [JobDefinition.Problem] = []
        var valid: [JobDefinition] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        guard FileManager.default.fileExists(atPath: directory) else {
            throw CLIError(.usage, "\(directory) does not exist", hint: "give the folder of job definitions: calworker jobs validate jobs/")
        }
        for name in names {
            do throws(JobDefinition.Problem) {
                let definition = try JobDefinition.load(path: (directory as NSString).appendingPathComponent(name))
                if let problem = definition.check(with: context.registry) { problems.append(problem) } else { valid.append(definition) }
            } catch {
                problems.append(error)
            }
        }
        let zone = context.settings.schedule.timeZone
        struct Row: Encodable {
            var file: String
            var kind: String
            var schedule: String
            var next: String
            var problem: String
        }
        let rows =
            valid.map { definition -> Row in
                let next = definition.schedule.flatMap {
                    CronSchedule($0, timeZone: zone).fires(after: Date(), through: Date().addingTimeInterval(31 * 86_400)).first
                }
                return Row(
                    file: definition.path, kind: definition.kind, schedule: definition.schedule?.text ?? "-",
                    next: next.map { "\($0.wallTime) \(context.settings.schedule.timeZoneName)" } ?? "-", problem: "")
            } + problems.map { Row(file: $0.path, kind: "-", schedule: "-", next: "-", problem: $0.description) }
        context.emit(rows) {
            var table = Table(headers: ["FILE", "KIND", "SCHEDULE", "NEXT", "PROBLEM"])
            for row in rows { table.add([row.file, row.kind, row.schedule, row.next, row.problem.isEmpty ? "ok" : row.problem]) }
            return names.isEmpty ? "no *.json job definitions in \(directory)" : table.render()
        }
        if !problems.isEmpty {
            for problem in problems { context.output.err("error: \(problem)") }
            return .usage
        }
        return names.isEmpty ? .usage : .ok
    }
}
