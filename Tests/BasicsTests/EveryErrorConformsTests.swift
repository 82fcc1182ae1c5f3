import Foundation
import Testing

/// Every error type calworker declares has the shared shape (`CalworkerError`: a code, a
/// message, whether trying again may help), which is what the worker decides retry or discard
/// by. Nine types once lacked it, and the worker retried a `FeedError` it should have
/// discarded. The list is read from the sources, so a new error type is checked the day it
/// is written.
@Suite struct EveryErrorConformsTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Every `struct`/`enum`/`class` declared conforming to `Error`, by qualified name (a type
    /// nested one level in another is `Outer.Name`), with whether its own declaration already
    /// names `CalworkerError`.
    static func errorTypes() throws -> (declared: [String: (file: String, conforms: Bool)], extensions: Set<String>) {
        let declaration = try Regex(#"^( *)(?:(?:public|internal|private|fileprivate|final|package) )*(struct|enum|class) (\w+)[^{:]*:([^{]*)\{"#)
        let topLevel = try Regex(
            #"^(?:(?:public|internal|private|fileprivate|final|package) )*(?:struct|enum|class|extension|actor|protocol) ([\w.]+)"#)
        let conformance = try Regex(#"^(?:(?:public|internal|private|fileprivate) )*extension ([\w.]+)\s*:([^{]*)\{"#)
        var declared: [String: (file: String, conforms: Bool)] = [:]
        var extensions = Set<String>()
        let files = try FileManager.default.subpathsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            var outer = ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if let top = try topLevel.firstMatch(in: line), let name = top.output[1].substring { outer = String(name) }
                if let match = try conformance.firstMatch(in: line), let name = match.output[1].substring,
                    let list = match.output[2].substring, list.contains("CalworkerError")
                {
                    extensions.insert(String(name))
                }
                guard let match = try declaration.firstMatch(in: line), let indent = match.output[1].substring,
                    let name = match.output[3].substring, let list = match.output[4].substring
                else { continue }
                let protocols = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard protocols.contains("Error") || protocols.contains("CalworkerError") else { continue }
                let qualified = indent.isEmpty ? String(name) : outer + "." + name
                declared[qualified] = (file, protocols.contains("CalworkerError"))
            }
        }
        return (declared, extensions)
    }

    @Test func everyErrorTypeConformsToCalworkerError() throws {
        let (declared, extensions) = try Self.errorTypes()
        #expect(declared.count >= 35, "the scan found \(declared.count) error types; has the source layout changed?")
        for (name, place) in declared.sorted(by: { $0.key < $1.key }) {
            let extended = extensions.contains(name) || extensions.contains { $0.hasSuffix("." + name) }
            #expect(place.conforms || extended, "\(name) (\(place.file)) does not conform to CalworkerError")
        }
    }

    @Test func theScanSeesNestedTypesAndTheirExtensions() throws {
        let (declared, extensions) = try Self.errorTypes()
        for nested in [
            "FeedStore.Refusal", "SchemaGrants.Refusal", "MirrorPolicyStore.Refusal", "RequestHeadParser.Failure", "WebhookSender.Failure",
        ] {
            #expect(declared[nested] != nil, "\(nested) is found")
        }
        #expect(extensions.contains("WebhookSender.Failure") && declared["FeedError"]?.conforms == true)
    }
}
