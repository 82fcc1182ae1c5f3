import Foundation
import Testing

@testable import Patterns

/// The title filter's engine: RE2's syntax, case-insensitive, anywhere in the text, and work
/// bounded by characters × instructions whatever the pattern.
@Suite struct LinearRegexTests {
    /// Patterns and titles on which a backtracking engine agrees with this one (no pathological
    /// case among them): NSRegularExpression (ICU) is the reference for what each should match.
    static let corpus: [(pattern: String, texts: [String])] = [
        ("standup", ["Daily Standup", "STANDUP", "stand up", ""]),
        ("^lunch$", ["Lunch", "lunch with Bob", "Late lunch"]),
        ("^(focus|deep work)\\b", ["Focus time", "focused", "Deep Work block", "no focus"]),
        ("[0-9]{3}-[0-9]{4}", ["call 555-1234", "55-1234", "ext 1234-567"]),
        ("\\d+ ?min", ["15 min break", "15min", "min 15"]),
        ("(?i)private|personal", ["Private: doctor", "PERSONAL", "priv"]),
        ("^\\[hold\\]", ["[HOLD] team offsite", "hold", "x [hold]"]),
        ("a.c", ["abc", "a\nc", "ac"]),
        ("colou?r", ["color", "colour", "colouur"]),
        ("x{2,3}", ["x", "xx", "xxxx"]),
        ("\\bOOO\\b", ["OOO today", "fooooo", "out (ooo)"]),
        ("[^a-z ]", ["all lower", "Has Upper", "digit 1"]),
        ("(?:ab)+c", ["ababc", "ac", "abx"]),
        ("\\s{2,}", ["two  spaces", "one space"]),
        // Simple case folding, one character to one, as RE2 does (ICU also folds ß to "SS").
        ("é|ß", ["Café", "CAFÉ", "straße", "STRAẞE"]),
        ("\\w+@\\w+\\.com", ["mail ada@example.com", "@example.com"]),
        ("\\.$", ["ends.", "not"]),
        ("\\x41\\x{42}", ["ab", "AB", "ba"]),
        ("[\\d\\s]+$", ["room 12 34", "room 12x"]),
        ("(a|b)*c", ["ababac", "ababa", "c"]),
        ("^$", ["", " "]),
    ]

    @Test(arguments: corpus.indices)
    func agreesWithABacktrackingEngineOnOrdinaryPatterns(index: Int) throws {
        let (pattern, texts) = Self.corpus[index]
        let regex = try LinearRegex(pattern)
        let reference = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        for text in texts {
            let expected = reference.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            #expect(regex.matches(text) == expected, "/\(pattern)/ on \(text.debugDescription)")
        }
    }

    /// The classic catastrophic-backtracking patterns, on the texts that make a backtracking
    /// engine try every way: the work stays within (characters + 1) × instructions.
    @Test(arguments: [
        ("(a+)+$", false), ("(a|a)*b", false), ("(a|aa)+$", false), ("(x+x+)+y", false), ("(.*a){12}b", false),
        ("^(a?){30}a{30}$", false), ("(\\w+\\s?)+!$", true), ("((a*)*)*c", false),
    ])
    func pathologicalPatternsTakeLinearWork(pattern: String, expected: Bool) throws {
        let regex = try LinearRegex(pattern)
        let text = Array(String(repeating: "a", count: 300).unicodeScalars) + ["!"]
        let (matched, threads) = RegexMachine(program: regex.program).run(text)
        let bound = (text.count + 1) * regex.program.instructions.count
        #expect(threads <= bound, "\(threads) threads for \(text.count) characters and \(regex.program.instructions.count) instructions")
        #expect(matched == expected, "/\(pattern)/ on 300 a's and a '!'")
    }

    @Test func theProbesTitleIsAnsweredAndALongTitleIsCut() throws {
        let regex = try LinearRegex("(a+)+$")
        #expect(!regex.matches(String(repeating: "a", count: 300) + "!"))
        #expect(regex.matches(String(repeating: "a", count: 300)))
        // Only the first maximumText characters are looked at.
        let long = String(repeating: "b", count: LinearRegex.maximumText) + "needle"
        #expect(!(try LinearRegex("needle")).matches(long))
        #expect((try LinearRegex("needle")).matches("needle" + String(repeating: "b", count: 5000)))
    }

    @Test(arguments: [
        ("(a)\\1", "backreferences"), ("(?=a)", "lookahead"), ("(?!a)", "lookahead"), ("(?<=a)b", "lookbehind"),
        ("(?<!a)b", "lookbehind"), ("a*+", "possessive"), ("a**", "two repetitions"), ("*a", "repeats nothing"),
        ("(ab", "without its ')'"), ("ab)", "without a '('"), ("[abc", "without its ']'"), ("[z-a]", "backwards"),
        ("a{1001}", "at most 1000"), ("a{5,2}", "larger than the most"), ("\\p{L}", "Unicode classes"), ("[[:alpha:]]", "POSIX"),
        ("(?s)a", "only the flag"), ("\\", "at the end"), ("\\q", "unknown escape"), ("", "empty pattern"),
        ("(a{100}){100}", "too large"), ("^*", "cannot repeat an anchor"), ("\\x{110000}", "hexadecimal"),
    ])
    func whatCannotBeUsedIsRefusedSayingWhy(pattern: String, reason: String) {
        #expect(throws: RegexError.self) { try LinearRegex(pattern) }
        do {
            _ = try LinearRegex(pattern)
        } catch {
            #expect(error.description.contains(reason), "/\(pattern)/: \(error)")
        }
    }

    @Test func namedGroupsLazyQuantifiersAndLiteralBracesAreAccepted() throws {
        #expect(try LinearRegex("(?P<kind>sync|call)").matches("Sync review"))
        #expect(try LinearRegex("(?<kind>sync)").matches("sync"))
        #expect(try LinearRegex("a+?b").matches("aab"))
        #expect(try LinearRegex("{x}").matches("a {x} b"))
        #expect(try LinearRegex("a{,2}").matches("a{,2}"), "not a count: the characters themselves, as RE2 reads it")
        #expect(try LinearRegex("(?i:ok)").matches("OK"))
    }

    @Test func anEmptyLoopDoesNotSpin() throws {
        let regex = try LinearRegex("(a*)*(b*)*$")
        let (matched, threads) = RegexMachine(program: regex.program).run(Array("xyz".unicodeScalars))
        #expect(matched && threads <= 4 * regex.program.instructions.count)
    }
}
