import Console
import Testing

/// Text from outside (job args, errors, account e-mails) never becomes markup.
@Suite struct HTMLTests {
    @Test(arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (#"" onmouseover="alert(1)"#, "&quot; onmouseover=&quot;alert(1)"),
        ("'><img src=x onerror=alert(1)>", "&#39;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        ("a & b", "a &amp; b"),
        ("&lt;", "&amp;lt;"),
        ("zero\u{0}byte", "zero\u{FFFD}byte"),
        ("émoji 📅", "émoji 📅"),
        ("eve\u{202E}nimda", "eve\\u{202E}nimda"),
        ("a\u{2066}b\u{2069}\u{1B}[31m", "a\\u{2066}b\\u{2069}\\u{1B}[31m"),
        ("two\nlines", "two\nlines"),
    ])
    func textIsEscapedWhereverItGoes(text: String, escaped: String) {
        let cell: HTML = "<td title=\"\(text)\">\(text)</td>"
        #expect(cell.markup == "<td title=\"\(escaped)\">\(escaped)</td>")
    }

    @Test func markupAndNumbersGoInAsTheyAre() {
        let inner: HTML = "<b>\("x<y")</b>"
        let row: HTML = "<tr>\(inner)<td>\(42)</td>\([HTML("<td>a</td>"), HTML("<td>b</td>")])</tr>"
        #expect(row.markup == "<tr><b>x&lt;y</b><td>42</td><td>a</td><td>b</td></tr>")
        let missing: String? = nil
        #expect(("<i>\(missing)</i>" as HTML).markup == "<i></i>")
    }

    @Test func aLinkAlwaysStaysOnTheConsoleWhateverItCarries() {
        let hostile = ConsoleLink(["runs"], query: [("arg", "javascript:alert(1)"), ("error", "\"><script>"), ("skip", nil)])
        #expect(hostile.href == "/runs?arg=javascript%3Aalert%281%29&error=%22%3E%3Cscript%3E")
        let path = ConsoleLink(["jobs", "//evil.example/x"])
        #expect(path.href == "/jobs/%2F%2Fevil.example%2Fx", "a segment cannot make it protocol-relative")
        let anchor: HTML = "<a href=\"\(ConsoleLink(["runs"], query: [("subject", "account:12"), ("a", "1&b=2")]))\">x</a>"
        #expect(anchor.markup == "<a href=\"/runs?subject=account%3A12&amp;a=1%26b%3D2\">x</a>")
    }
}
