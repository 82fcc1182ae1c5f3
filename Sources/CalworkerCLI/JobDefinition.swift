import Configuration
import Foundation
import JobQueue

/// A job definition file (`jobs/NAME.json`): what cron enqueues, in one reviewed place.
///
/// ```json
/// {"kind": "noop", "args": {}, "queue": "default", "priority": 0, "unique_key": "noop-hourly",
///  "max_attempts": 3, "timeout": "5m", "schedule": "0 * * * *"}
/// ```
/// `schedule` is read by the scheduler (a later issue); `enqueue --file` ignores it.
struct JobDefinition: Decodable {
    var kind: String
    var args: JSONValue?
    var queue: String?
    var priority: Int?
    var uniqueKey: String?
    var maxAttempts: Int?
    var timeout: String?
    var schedule: String?
    var description: String?

    enum CodingKeys: String, CodingKey {
        case kind, args, queue, priority, schedule, timeout, description
        case uniqueKey = "unique_key"
        case maxAttempts = "max_attempts"
    }

    static func load(path: String) throws(CLIError) -> JobDefinition {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(.usage, "cannot read job file \(path)", hint: "check the path; job files live in jobs/")
        }
        do {
            let decoder = JSONDecoder()
            return try decoder.decode(JobDefinition.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw CLIError(.usage, "\(path): missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw CLIError(.usage, "\(path): field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw CLIError(.usage, "\(path): not a valid job definition (\(error))")
        }
    }

    func newJob(path: String) throws(CLIError) -> NewJob {
        var job = NewJob(kind: kind)
        if let args {
            guard case .object = args else { throw CLIError(.usage, "\(path): field 'args' must be a JSON object") }
            job.args = args.jsonText
        }
        if let queue { job.queue = queue }
        if let priority { job.priority = priority }
        if let maxAttempts { job.maxAttempts = maxAttempts }
        job.uniqueKey = uniqueKey
        if let timeout {
            guard let duration = DurationText.parse(timeout) else {
                throw CLIError(.usage, "\(path): field 'timeout' must be a duration like 30s or 10m, got '\(timeout)'")
            }
            job.timeout = duration
        }
        return job
    }
}

/// Any JSON value, kept so a definition's `args` can be written back out as text.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var jsonText: String {
        let data = (try? JSONSerialization.data(withJSONObject: foundationValue, options: [.sortedKeys, .fragmentsAllowed])) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    var foundationValue: Any {
        switch self {
        case .null: NSNull()
        case .bool(let value): value
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? Int64(value) as Any : value as Any
        case .string(let value): value
        case .array(let values): values.map(\.foundationValue)
        case .object(let values): values.mapValues(\.foundationValue)
        }
    }
}
