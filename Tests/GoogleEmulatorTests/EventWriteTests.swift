import Foundation
import GoogleEmulator
import HTTPClient
import Testing

/// Writes through the API: Google's id rules, 409 on a used id, etags and If-Match, deletion
/// as a tombstone, patch semantics.
@Suite struct EventWriteTests {
    static let events = "\(EmulatorFixture.calendarPath)/events"

    @Test(arguments: ["UPPER123", "abc", "has-dash1", "wxyz12345", String(repeating: "a", count: 1025)])
    func anIdOutsideBase32hexIs400(id: String) throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let response = try fixture.api("POST", Self.events, json: EmulatorFixture.timedEvent(id: id))
        #expect(response.status == 400)
        #expect(EmulatorFixture.reason(response) == "invalid")
    }

    @Test func aChosenIdIsKeptAndServerFieldsAreSet() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let response = try fixture.api("POST", Self.events, json: EmulatorFixture.timedEvent(id: "mirror0123456789abcdefuv"))
        #expect(response.status == 200)
        let event = try EmulatorFixture.json(response)
        #expect(event["id"] as? String == "mirror0123456789abcdefuv")
        #expect(event["kind"] as? String == "calendar#event")
        #expect(event["status"] as? String == "confirmed")
        #expect(event["eventType"] as? String == "default")
        #expect(event["iCalUID"] as? String == "mirror0123456789abcdefuv@google.com")
        let etag = try #require(event["etag"] as? String)
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
        let updated = try #require(event["updated"] as? String)
        #expect(updated.count == 24 && updated.hasSuffix("Z") && updated.contains("."), "\(updated)")
        // Without an id, the server makes a base32hex one.
        let generated = try EmulatorFixture.json(fixture.api("POST", Self.events, json: EmulatorFixture.timedEvent()))
        let id = try #require(generated["id"] as? String)
        #expect(id.count >= 5 && id.allSatisfy { "0123456789abcdefghijklmnopqrstuv".contains($0) })
    }

    @Test func aUsedIdIs409EvenWhenDeleted() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        #expect(try fixture.api("POST", Self.events, json: EmulatorFixture.timedEvent(id: "taken00001")).status == 200)
        let again = try fixture.api("POST", Self.events, json: EmulatorFixture.timedEvent(id: "taken00001"))
        #expect(again.status == 409)
        #expect(EmulatorFixture.reason(again) == "duplicate")
        let error = try EmulatorFixture.json(again)["error"] as? [String: Any]
        #expect(error?["message"] as? String == "The requested identifier already exists.")
        #expect(try fixture.api("DELETE", "\(Self.events)/taken00001").status == 204)
        #expect(try fixture.api("POST", Self.events, json: EmulatorFixture.timedEvent(id: "taken00001")).status == 409)
    }

    @Test func startAndEndAreRequiredAndOrdered() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let missing = try fixture.api("POST", Self.events, json: ["summary": "no times", "start": ["date": "2025-03-01"]])
        #expect(missing.status == 400)
        #expect(EmulatorFixture.reason(missing) == "required")
        let backwards = try fixture.api(
            "POST", Self.events,
            json: [
                "start": ["dateTime": "2025-03-01T10:00:00Z"], "end": ["dateTime": "2025-03-01T09:00:00Z"],
            ])
        #expect(backwards.status == 400)
        #expect(EmulatorFixture.reason(backwards) == "timeRangeEmpty")
        let allDay = try fixture.api("POST", Self.events, json: ["start": ["date": "2025-03-01"], "end": ["date": "2025-03-02"]])
        #expect(allDay.status == 200)
        #expect(try fixture.api("POST", Self.events, body: "{not json").status == 400)
    }

    @Test func aStaleEtagIs412() throws {
        let fixture = try EmulatorFixture(events: [EmulatorFixture.timedEvent(id: "shared001")])
        defer { fixture.stop() }
        let original = try EmulatorFixture.json(fixture.api("\(Self.events)/shared001"))
        let etag = try #require(original["etag"] as? String)
        try fixture.emulator.patchEvent(calendarID: EmulatorFixture.email, eventID: "shared001", ["summary": "user edit"])
        for method in ["PATCH", "PUT", "DELETE"] {
            let response = try fixture.api(
                method, "\(Self.events)/shared001", json: method == "DELETE" ? nil : EmulatorFixture.timedEvent(),
                headers: [HTTPHeader("If-Match", etag)])
            #expect(response.status == 412, "\(method)")
            #expect(EmulatorFixture.reason(response) == "conditionNotMet")
        }
        let current = try EmulatorFixture.json(fixture.api("\(Self.events)/shared001"))
        let patched = try fixture.api(
            "PATCH", "\(Self.events)/shared001", json: ["summary": "Busy"],
            headers: [HTTPHeader("If-Match", current["etag"] as! String)])
        #expect(patched.status == 200)
        #expect(try EmulatorFixture.json(patched)["etag"] as? String != current["etag"] as? String)
        // If-None-Match with the current etag: nothing to send.
        let latest = try EmulatorFixture.json(patched)["etag"] as! String
        #expect(try fixture.api("\(Self.events)/shared001", headers: [HTTPHeader("If-None-Match", latest)]).status == 304)
    }

    @Test func deleteLeavesATombstoneThatGetStillReturns() throws {
        let fixture = try EmulatorFixture(events: [EmulatorFixture.timedEvent(id: "doomed001")])
        defer { fixture.stop() }
        let deleted = try fixture.api("DELETE", "\(Self.events)/doomed001")
        #expect(deleted.status == 204)
        #expect(deleted.body.isEmpty)
        let got = try fixture.api("\(Self.events)/doomed001")
        #expect(got.status == 200)
        #expect(try EmulatorFixture.json(got)["status"] as? String == "cancelled")
        let again = try fixture.api("DELETE", "\(Self.events)/doomed001")
        #expect(again.status == 410)
        #expect(EmulatorFixture.reason(again) == "deleted")
        #expect((try EmulatorFixture.json(again)["error"] as? [String: Any])?["message"] as? String == "Resource has been deleted")
        let unknown = try fixture.api("DELETE", "\(Self.events)/nosuchevent")
        #expect(unknown.status == 404)
        #expect(EmulatorFixture.reason(unknown) == "notFound")
        #expect(try fixture.api("\(Self.events)/nosuchevent").status == 404)
        // Patching it back to confirmed restores it.
        let restored = try fixture.api("PATCH", "\(Self.events)/doomed001", json: ["status": "confirmed"])
        #expect(try EmulatorFixture.json(restored)["status"] as? String == "confirmed")
        #expect(EmulatorFixture.ids(EmulatorFixture.items(try fixture.listAll())) == ["doomed001"])
    }

    @Test func patchMergesExtendedPropertiesAndPutReplaces() throws {
        var event = EmulatorFixture.timedEvent(id: "props0001")
        event["description"] = "details"
        event["extendedProperties"] = ["private": ["calworkerMirror": "1", "calworkerSource": "abc"], "shared": ["x": "y"]]
        let fixture = try EmulatorFixture(events: [event])
        defer { fixture.stop() }
        let patched = try EmulatorFixture.json(
            fixture.api(
                "PATCH", "\(Self.events)/props0001",
                json: [
                    "summary": "Busy", "extendedProperties": ["private": ["calworkerSource": "def"]],
                ]))
        #expect(patched["description"] as? String == "details")
        let properties = patched["extendedProperties"] as? [String: [String: String]]
        #expect(properties?["private"] == ["calworkerMirror": "1", "calworkerSource": "def"])
        #expect(properties?["shared"] == ["x": "y"])
        let replaced = try EmulatorFixture.json(fixture.api("PUT", "\(Self.events)/props0001", json: EmulatorFixture.timedEvent(summary: "Busy")))
        #expect(replaced["description"] == nil)
        #expect(replaced["extendedProperties"] == nil)
        #expect(replaced["id"] as? String == "props0001")
        let search = try EmulatorFixture.json(fixture.api(Self.events, query: "q=busy"))
        #expect(EmulatorFixture.ids(search["items"] as? [[String: Any]] ?? []) == ["props0001"])
    }

    @Test func textAndNumbersSurviveAndUnknownFieldsAreDropped() throws {
        let fixture = try EmulatorFixture()
        defer { fixture.stop() }
        let text = "Grüße ✓ 😀 \"quoted\" back\\slash\nline\u{1}"
        var event = EmulatorFixture.timedEvent(id: "strings01")
        event["summary"] = text
        event["reminders"] = ["useDefault": false, "overrides": [["method": "popup", "minutes": 10]]]
        event["guestsCanModify"] = true
        event["noSuchField"] = "dropped"
        let created = try EmulatorFixture.json(fixture.api("POST", Self.events, json: event))
        #expect(created["summary"] as? String == text)
        #expect(created["noSuchField"] == nil)
        let got = try fixture.api("\(Self.events)/strings01")
        let body = String(decoding: got.body, as: UTF8.self)
        #expect(body.contains(#""minutes":10"#))
        #expect(body.contains(#""guestsCanModify":true"#))
        #expect(body.contains(#""useDefault":false"#))
        #expect(try EmulatorFixture.json(got)["summary"] as? String == text)
    }
}

extension EmulatorFixture {
    /// A request with a raw body (for malformed JSON).
    func api(_ method: String, _ path: String, body: String) throws -> HTTPResponse {
        try client.send(
            HTTPRequest(
                method: method, url: emulator.apiURL + "/" + path,
                headers: [HTTPHeader("Authorization", "Bearer \(accessToken)")], body: Data(body.utf8)))
    }
}
