/// Refuses a JSON object that holds an argument its kind does not take: a misspelt argument
/// (`"sorce"`) must fail the enqueue, not be silently ignored.
enum ArgumentNames {
    static func refuseUnknown(in decoder: any Decoder, allowed: [String], _ takes: String) throws {
        let names = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = names.first(where: { !allowed.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown argument '\(unknown)'; \(takes)"))
        }
    }

    /// "backup takes target, keep_daily, ...".
    static func list(_ kind: String, _ names: [String]) -> String { "\(kind) takes \(names.joined(separator: ", "))" }
}

/// Any JSON object key, for telling unknown arguments from known ones.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
