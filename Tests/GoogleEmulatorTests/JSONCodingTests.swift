import Foundation
import Testing

@testable import GoogleEmulator

/// The emulator's own JSON reader and writer agree with `JSONSerialization` on what JSON is.
@Suite struct JSONCodingTests {
    @Test(arguments: [
        #"{"a":1,"b":-2.5,"c":true,"d":false,"e":null,"f":"x","g":[],"h":{},"i":[1,[2,{"j":"k"}]]}"#,
        #"["é ✓ 😀","\"\\\/\b\f\n\r\t","\u00e9\ud83d\ude00","\u0001"]"#,
        #"  [ 1e3 , -0 , 0.125 , 12345678901234 , -9223372036854775808 , 1E-2 ]  "#,
        #""just a string""#, "42", "true", "null",
    ])
    func readsWhatJSONSerializationReads(text: String) throws {
        let ours = try #require(JSONCoding.parse(Array(text.utf8)))
        let theirs = try #require(JSONValue(any: try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])))
        #expect(ours.roughlyEquals(theirs), "\(ours) vs \(theirs)")
        // And what it writes reads back the same, by both.
        let written = ours.serialized()
        #expect(JSONCoding.parse(written)?.roughlyEquals(ours) == true)
        let reread = try JSONSerialization.jsonObject(with: Data(written), options: [.fragmentsAllowed])
        #expect(JSONValue(any: reread)?.roughlyEquals(ours) == true)
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a" 1}"#, #"{"a":1,}"#, "tru", "01x", "\"unterminated", "\"tab\there\"",
        #""\ud83d""#, #""\x""#, "[1] 2", String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
    ])
    func refusesWhatIsNotJSON(text: String) {
        #expect(JSONCoding.parse(Array(text.utf8)) == nil)
    }

    @Test func writesKeysSortedAndIntegersAsIntegers() {
        let value = JSONValue.object(["b": .int(10), "a": .double(1.5), "c": .double(3)])
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"a":1.5,"b":10,"c":3}"#)
    }
}

extension JSONValue {
    /// Equal, counting an integral double equal to the same integer (JSONSerialization reads
    /// `1e3` as an integer, this reader as a double).
    func roughlyEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.array(let a), .array(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.roughlyEquals($1) }
        case (.object(let a), .object(let b)): a.keys.sorted() == b.keys.sorted() && a.allSatisfy { b[$0.key].map($0.value.roughlyEquals) ?? false }
        default: self == other || (self.double != nil && self.double == other.double)
        }
    }
}
