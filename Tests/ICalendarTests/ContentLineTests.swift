import Foundation
import ICalendar
import Testing

/// Folding and escaping (RFC 5545 §3.1, §3.3.11): the byte-level rules every client relies on.
@Suite struct ContentLineTests {
    /// The physical lines of `bytes`, CRLF removed; fails when a line ends without CRLF.
    func physicalLines(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 13, index + 1 < bytes.count, bytes[index + 1] == 10 {
                lines.append(current)
                current = []
                index += 2
            } else {
                #expect(bytes[index] != 10 && bytes[index] != 13, "a bare CR or LF at \(index)")
                current.append(bytes[index])
                index += 1
            }
        }
        #expect(current.isEmpty, "the last line ends in CRLF")
        return lines
    }

    @Test(arguments: [
        String(repeating: "🗓️ Team offsite ", count: 40), String(repeating: "日本語の予定", count: 60),
        String(repeating: "a", count: 74), String(repeating: "a", count: 75), String(repeating: "a", count: 76),
        String(repeating: "é", count: 200), "short",
    ])
    func foldsAt75OctetsWithoutSplittingACharacter(summary: String) throws {
        var output: [UInt8] = []
        ContentLine.append(name: "SUMMARY", value: ICalText.escape(summary), to: &output)
        let lines = physicalLines(output)
        for (number, line) in lines.enumerated() {
            #expect(line.count <= 75, "line \(number) has \(line.count) octets")
            #expect(String(validating: line, as: UTF8.self) != nil, "line \(number) is whole UTF-8 on its own")
            if number > 0 { #expect(line.first == 32, "a continuation starts with a space") }
        }
        let unfolded = lines.enumerated().flatMap { $0.offset == 0 ? $0.element : Array($0.element.dropFirst()) }
        #expect(String(decoding: unfolded, as: UTF8.self) == "SUMMARY:" + ICalText.escape(summary))
    }

    @Test func textEscapesItsSpecialCharactersAndDropsControls() {
        #expect(ICalText.escape("Lunch, then; review\\notes") == "Lunch\\, then\\; review\\\\notes")
        #expect(ICalText.escape("one\r\ntwo\nthree\rfour") == "one\\ntwo\\nthree\\nfour")
        #expect(ICalText.escape("bell\u{07}null\u{00}tab\tdel\u{7F}") == "bellnulltab\tdel")
    }

    @Test func parameterValuesAreQuotedWhenTheyMustBeAndLoseWhatCannotBeQuoted() {
        #expect(ICalText.parameterValue("Europe/Berlin") == "Europe/Berlin")
        #expect(ICalText.parameterValue("a:b;c,d") == "\"a:b;c,d\"")
        #expect(ICalText.parameterValue("say \"hi\"\r\nBEGIN:VEVENT") == "\"say hiBEGIN:VEVENT\"")
    }
}
