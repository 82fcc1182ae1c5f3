import Console
import Testing

/// What a browser (or anyone) sends: queries, form bodies, cookies, decoded without trusting them.
@Suite struct ConsoleFormTests {
    @Test func encodedValuesDecodeAndMalformedOnesStayAsSent() {
        let form = ConsoleForm("a=x+y%3D1&b=%zz&c=%&d=%FF%FE&e=&f&a=second")
        #expect(form["a"] == "x y=1", "the first value, + as a space")
        #expect(form["b"] == "%zz" && form["c"] == "%", "a malformed escape stays as it was")
        #expect(form["d"] == "\u{FFFD}\u{FFFD}", "bytes that are not UTF-8 become U+FFFD")
        #expect(form["e"] == nil && form["f"] == nil && form["missing"] == nil, "an empty field is no field")
    }

    @Test func aFloodOfFieldsIsCutShort() {
        let form = ConsoleForm((0..<10_000).map { "k\($0)=v" }.joined(separator: "&"))
        #expect(form.pairs.count == 200 && form["k199"] == "v" && form["k200"] == nil)
    }

    @Test func theSessionCookieIsFoundAmongOthers() {
        #expect(ConsoleForm.cookie("cw_session", in: "a=1; cw_session=abc.def ; b=2") == "abc.def")
        #expect(ConsoleForm.cookie("cw_session", in: "cw_sessionx=1") == nil && ConsoleForm.cookie("cw_session", in: nil) == nil)
    }
}
