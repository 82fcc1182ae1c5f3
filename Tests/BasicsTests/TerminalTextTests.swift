import Basics
import Foundation
import Testing

@Suite struct TerminalTextTests {
    @Test func controlAndDirectionCharactersAreEscapedAndTheRestKept() {
        #expect(TerminalText.escaped("ok ü 日本 🙂‍↔️") == "ok ü 日本 🙂‍↔️", "letters, emoji and their joiners show as they are")
        #expect(TerminalText.escaped("a\u{1B}[2Jb") == "a\\u{1B}[2Jb")
        #expect(TerminalText.escaped("eve\u{202E}nimda") == "eve\\u{202E}nimda")
        #expect(TerminalText.escaped("line\nnext\tcell") == "line\nnext\tcell")
        #expect(TerminalText.escaped("line\nnext", keepingLineBreaks: false) == "line\\u{A}next")
        #expect(TerminalText.escaped("\u{2028}\u{061C}\u{85}") == "\\u{2028}\\u{61C}\\u{85}")
    }

    @Test func jsonEscapesStayJSON() throws {
        let text = TerminalText.escaped(#"{"actor": "eve\#u{202E}nimda", "c1": "\#u{85}"}"#, style: .json)
        #expect(text == #"{"actor": "eve\u202enimda", "c1": "\u0085"}"#)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(object?["actor"] == "eve\u{202E}nimda" && object?["c1"] == "\u{85}", "a parser reads the characters back")
    }
}
