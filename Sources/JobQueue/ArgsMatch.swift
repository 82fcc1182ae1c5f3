import Foundation

/// `KEY=VALUE` as the JSON object a job's args must contain (`{"KEY": VALUE}`): how operators
/// write an args filter, in the CLI (`--arg`) and the console alike.
public enum ArgsMatch {
    /// A whole number or true/false typed, anything else text; nil without a key and `=`.
    public static func json(fromKeyValue text: String) -> String? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        let key = String(text[..<equals])
        let raw = String(text[text.index(after: equals)...])
        let value: Any
        if let number = Int64(raw) {
            value = number
        } else if raw == "true" || raw == "false" {
            value = raw == "true"
        } else {
            value = raw
        }
        guard let data = try? JSONSerialization.data(withJSONObject: [key: value], options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
