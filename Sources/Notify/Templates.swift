public import Basics
import Foundation

/// Message templates: files with `{{placeholders}}` (`Sources/Notify/Templates`, shipped beside
/// the binary), overridable one by one from `CALWORKER_TEMPLATE_DIR`. A `.txt` template starts
/// with a `Subject:` line and a blank line. In `.html` templates values are HTML-escaped;
/// `{{{name}}}` inserts a value already made HTML. A placeholder without a value is an error,
/// not an empty gap in a message someone reads.
public struct Templates: Sendable {
    /// Where operators' own versions are looked for first.
    public var overrideDirectory: String?

    public init(overrideDirectory: String? = nil) { self.overrideDirectory = overrideDirectory }

    public struct Rendered: Sendable, Equatable {
        public var subject: String
        public var text: String
        public var html: String?
    }

    public struct TemplateError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Renders `name.txt` (and `name.html` when there is one) with `values`.
    public func render(_ name: String, _ values: [String: String]) throws(TemplateError) -> Rendered {
        let textTemplate = try load(name + ".txt")
        guard textTemplate.hasPrefix("Subject:"), let split = textTemplate.range(of: "\n\n") else {
            throw TemplateError(description: "\(name).txt must start with a 'Subject:' line and a blank line")
        }
        let subject = try fill(
            String(textTemplate[textTemplate.index(textTemplate.startIndex, offsetBy: 8)..<split.lowerBound]),
            values, html: false, template: name + ".txt")
        let text = try fill(String(textTemplate[split.upperBound...]), values, html: false, template: name + ".txt")
        let html = try loadIfPresent(name + ".html").map { template throws(TemplateError) in
            try fill(template, values, html: true, template: name + ".html")
        }
        return Rendered(subject: subject.trimmingCharacters(in: .whitespaces), text: text, html: html)
    }

    func fill(_ template: String, _ values: [String: String], html: Bool, template name: String) throws(TemplateError) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let raw = rest[open.upperBound...].hasPrefix("{")
            let start = raw ? rest.index(after: open.upperBound) : open.upperBound
            guard let close = rest[start...].range(of: raw ? "}}}" : "}}") else {
                throw TemplateError(description: "\(name): a '{{' is never closed")
            }
            let key = rest[start..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let value = values[key] else {
                throw TemplateError(description: "\(name): no value for {{\(key)}} (known: \(values.keys.sorted().joined(separator: ", ")))")
            }
            output += html && !raw ? Self.escapeHTML(value) : value
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    static func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    func load(_ file: String) throws(TemplateError) -> String {
        guard let text = try loadIfPresent(file) else {
            throw TemplateError(
                description: "template \(file) not found (in CALWORKER_TEMPLATE_DIR or beside the binary, calworker_Notify.resources)")
        }
        return text
    }

    func loadIfPresent(_ file: String) throws(TemplateError) -> String? {
        if let overrideDirectory, let text = try? String(contentsOfFile: overrideDirectory + "/" + file, encoding: .utf8) { return text }
        let name = (file as NSString).deletingPathExtension
        let type = (file as NSString).pathExtension
        guard let url = Bundle.module.url(forResource: name, withExtension: type, subdirectory: "Templates") else { return nil }
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TemplateError(description: "template \(file) cannot be read: \(error.localizedDescription)")
        }
    }
}

extension Templates.TemplateError: CalworkerError {
    public var errorCode: String { "template" }
    public var message: String { description }
    public var isRetryable: Bool { false }
}
