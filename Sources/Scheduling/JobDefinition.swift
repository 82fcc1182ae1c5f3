public import Basics
import Configuration
import Foundation
public import JobQueue

/// A job definition file (`jobs/NAME.json`): what is enqueued on a schedule, in one reviewed
/// place, the single source of the crontab and the systemd timers.
///
/// ```json
/// {"kind": "sync_account", "args": {"account_id": "all"}, "queue": "default", "priority": 0,
///  "unique_key": "sync_account:all", "max_attempts": 5, "timeout": "10m", "schedule": "*/5 * * * *"}
/// ```
public struct JobDefinition: Sendable {
    /// The file's name without `.json`: names the timer, the crontab line and the schedule's fires.
    public var name: String
    public var path: String
    public var kind: String
    /// The args as JSON text.
    public var args: String
    public var queue: String
    public var priority: Int
    public var uniqueKey: String?
    public var maxAttempts: Int
    public var timeout: Duration?
    public var schedule: CronExpression?
    public var description: String?

    /// A definition file that cannot be used, named by file and field.
    public struct Problem: Error, CustomStringConvertible, Sendable, Equatable {
        public var path: String
        public var field: String?
        public var message: String

        public init(path: String, field: String?, message: String) {
            self.path = path
            self.field = field
            self.message = message
        }

        public var description: String { "\(path)" + (field.map { ": field '\($0)'" } ?? "") + ": \(message)" }
    }

    static let fields: Set<String> = ["kind", "args", "queue", "priority", "unique_key", "max_attempts", "timeout", "schedule", "description"]

    public static func load(path: String) throws(Problem) -> JobDefinition {
        func problem(_ field: String?, _ message: String) -> Problem { Problem(path: path, field: field, message: message) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw problem(nil, "cannot be read; check the path (job files live in jobs/)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw problem(nil, "is not a JSON object") }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw problem(unknown, "is not a job definition field (known: \(fields.sorted().joined(separator: ", ")))")
        }
        guard let kindValue = object["kind"] else { throw problem(nil, "missing field 'kind' (the job kind, e.g. sync_account)") }
        guard let kind = kindValue as? String, !kind.isEmpty else { throw problem("kind", "must be a job kind's name") }
        var definition = JobDefinition(
            name: ((path as NSString).lastPathComponent as NSString).deletingPathExtension, path: path, kind: kind,
            args: "{}", queue: "default", priority: 0, uniqueKey: nil, maxAttempts: 20, timeout: nil, schedule: nil)
        if let args = object["args"] {
            guard let dictionary = args as? [String: Any] else { throw problem("args", "must be a JSON object") }
            definition.args = String(
                decoding: (try? JSONSerialization.data(withJSONObject: dictionary, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
        }
        if let queue = object["queue"] {
            guard let text = queue as? String, !text.isEmpty else { throw problem("queue", "must be a non-empty string") }
            definition.queue = text
        }
        if let priority = object["priority"] {
            guard let number = priority as? Int else { throw problem("priority", "must be a whole number") }
            definition.priority = number
        }
        if let key = object["unique_key"] {
            guard let text = key as? String, !text.isEmpty else { throw problem("unique_key", "must be a non-empty string") }
            definition.uniqueKey = text
        }
        if let attempts = object["max_attempts"] {
            guard let number = attempts as? Int, number >= 1 else { throw problem("max_attempts", "must be a whole number of at least 1") }
            definition.maxAttempts = number
        }
        if let timeout = object["timeout"] {
            guard let text = timeout as? String else { throw problem("timeout", "must be a duration like 30s or 10m, in a string") }
            do {
                definition.timeout = try DurationText.parse(text, in: NewJob.timeoutRange)
            } catch {
                throw problem("timeout", error.description)
            }
        }
        if let schedule = object["schedule"] {
            guard let text = schedule as? String else { throw problem("schedule", "must be a cron expression in a string") }
            do {
                definition.schedule = try CronExpression(text)
            } catch {
                throw problem("schedule", error.description)
            }
        }
        definition.description = object["description"] as? String
        return definition
    }

    /// Every `*.json` in `directory`, sorted by name.
    public static func loadAll(directory: String) throws(Problem) -> [JobDefinition] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw Problem(path: directory, field: nil, message: "is not a readable folder of job definitions")
        }
        var definitions: [JobDefinition] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            definitions.append(try load(path: (directory as NSString).appendingPathComponent(name)))
        }
        return definitions
    }

    public var newJob: NewJob {
        NewJob(kind: kind, args: args, queue: queue, priority: priority, maxAttempts: maxAttempts, uniqueKey: uniqueKey, timeout: timeout)
    }
}

extension JobDefinition.Problem: CalworkerError {
    public var errorCode: String { "invalid_definition" }
    public var isRetryable: Bool { false }
}
