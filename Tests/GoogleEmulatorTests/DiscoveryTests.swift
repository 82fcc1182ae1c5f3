import Foundation
import GoogleEmulator
import Testing

/// The emulator serves only what Google's discovery document declares: every route and every
/// accepted list parameter is checked against Google's discovery document (revision 20261030,
/// as the PyPI package google-api-python-client 2.202.0 ships it; a copy is kept in `Fixtures/`
/// so a clone alone runs the tests, and docs/sync.md names it).
@Suite struct DiscoveryTests {
    static func document() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/calendar.v3.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    }

    struct Method {
        let httpMethod: String
        let path: String
        let parameters: Set<String>
    }

    /// Every method of the document, by id (`calendar.events.list`), from all resources.
    static func methods() throws -> [String: Method] {
        let document = try document()
        var found: [String: Method] = [:]
        func walk(_ node: [String: Any]) {
            for case let method as [String: Any] in (node["methods"] as? [String: Any] ?? [:]).values {
                guard let id = method["id"] as? String, let httpMethod = method["httpMethod"] as? String, let path = method["path"] as? String else {
                    continue
                }
                found[id] = Method(httpMethod: httpMethod, path: path, parameters: Set((method["parameters"] as? [String: Any] ?? [:]).keys))
            }
            for case let resource as [String: Any] in (node["resources"] as? [String: Any] ?? [:]).values { walk(resource) }
        }
        walk(document)
        return found
    }

    @Test func theDocumentIsRead() throws {
        let methods = try Self.methods()
        #expect(methods.count > 30)
        #expect(methods["calendar.events.list"]?.path == "calendars/{calendarId}/events")
    }

    @Test func everyRouteIsADiscoveryMethod() throws {
        let declared = Set(try Self.methods().values.map { "\($0.httpMethod) \($0.path)" })
        #expect(GoogleEmulator.routes.count >= 9)
        for route in GoogleEmulator.routes {
            #expect(declared.contains("\(route.method) \(route.path)"), "\(route.method) \(route.path) is not in the discovery document")
        }
    }

    @Test func eventsListParametersAreDeclared() throws {
        let declared = try #require(try Self.methods()["calendar.events.list"]).parameters
        #expect(GoogleEmulator.eventsListParameters.count >= 13)
        for name in GoogleEmulator.eventsListParameters {
            #expect(declared.contains(name), "events.list does not declare \(name)")
        }
    }

    @Test func calendarListParametersAreDeclared() throws {
        let declared = try #require(try Self.methods()["calendar.calendarList.list"]).parameters
        for name in GoogleEmulator.calendarListParameters {
            #expect(declared.contains(name), "calendarList.list does not declare \(name)")
        }
    }

    @Test func eventFieldsAreTheEventSchema() throws {
        let schemas = try Self.document()["schemas"] as? [String: Any]
        let event = try #require(schemas?["Event"] as? [String: Any])
        let properties = Set((event["properties"] as? [String: Any] ?? [:]).keys)
        #expect(Set(GoogleEmulator.eventFields) == properties)
    }
}
