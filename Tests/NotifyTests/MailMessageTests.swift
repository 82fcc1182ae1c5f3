import Foundation
import Notify
import Testing

@Suite struct MailMessageTests {
    let message = MailMessage(
        from: MailAddress(name: "Kalender", address: "calendar@example.com"),
        to: [MailAddress(name: "Ada Lovelace", address: "ada@example.com")],
        subject: "Grüße: Schicht beginnt gleich — bitte pünktlich sein, die Station ist heute knapp besetzt",
        text: "Line one\n.starts with a dot\ntrailing space \n" + String(repeating: "x", count: 200),
        html: "<p>Hi</p>", messageID: "calworker.n7@example.com", date: Date(timeIntervalSince1970: 1_796_150_000))

    var text: String { String(decoding: message.rendered(), as: UTF8.self) }

    @Test func everyLineEndsInCRLFAndStaysShort() {
        let lines = text.components(separatedBy: "\r\n")
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare LF")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "\(lines.map(\.utf8.count).max() ?? 0)")
    }

    @Test func headersAreRFC5322() {
        #expect(text.hasPrefix("Date: Tue, 01 Dec 2026 18:33:20 +0000\r\nMessage-ID: <calworker.n7@example.com>\r\n"))
        #expect(text.contains("From: \"Kalender\" <calendar@example.com>\r\nTo: \"Ada Lovelace\" <ada@example.com>\r\n"))
        #expect(text.contains("MIME-Version: 1.0\r\n") && text.contains("Content-Type: multipart/alternative;\r\n boundary="))
        // A long UTF-8 subject: several encoded words, folded, which decode back to it.
        let subjectLines = text.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }.prefix {
            $0.hasPrefix("Subject:") || $0.hasPrefix(" ")
        }
        #expect(subjectLines.count > 1)
        let decoded = subjectLines.joined().replacingOccurrences(of: "Subject: ", with: "").components(separatedBy: " ").map { word -> String in
            let base64 = word.replacingOccurrences(of: "=?UTF-8?B?", with: "").replacingOccurrences(of: "?=", with: "")
            return String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self)
        }.joined()
        #expect(decoded == message.subject)
    }

    @Test func bodiesAreQuotedPrintableAndKeepTheirDots() {
        #expect(text.contains("\r\n.starts with a dot\r\n"), "a dot line stays: libcurl stuffs it on the wire")
        #expect(text.contains("trailing space=20\r\n"), "trailing whitespace is encoded")
        #expect(QuotedPrintableTestDecoder.textPart(of: text) == message.text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func addressesAreCheckedBeforeAnythingIsSent() {
        #expect(MailAddress("Ops Team <ops@example.com>") == MailAddress(name: "Ops Team", address: "ops@example.com"))
        for bad in ["ops", "ops@", "@example.com", "ops@localhost", "o ps@example.com", "ops@example.com>\r\nBcc: x@y.z"] {
            #expect(MailAddress(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct TemplatesTests {
    @Test func theShippedTemplatesRenderAndEscapeHTML() throws {
        let rendered = try Templates().render(
            "reminder",
            [
                "title": "Review <b>Q4</b> & plan", "start": "Tue 1 Dec, 10:00", "zone": "Europe/Berlin",
                "minutes": "30", "calendar": "ada@example.com", "date": "x",
            ])
        #expect(rendered.subject == "Review <b>Q4</b> & plan starts in 30 minutes")
        #expect(rendered.text.contains("\"Review <b>Q4</b> & plan\" starts at Tue 1 Dec, 10:00 (Europe/Berlin), in 30 minutes."))
        #expect(rendered.html?.contains("<strong>Review &lt;b&gt;Q4&lt;/b&gt; &amp; plan</strong>") == true)
        for name in ["reminder-allday", "alert-digest"] {
            #expect(throws: Never.self) {
                _ = try Templates().render(
                    name,
                    [
                        "title": "t", "date": "d", "calendar": "c", "count": "1", "host": "h", "alerts": "- a",
                        "alerts_html": "<li>a</li>",
                    ])
            }
        }
    }

    @Test func aMissingValueIsAnErrorAndOperatorsCanOverrideATemplate() throws {
        #expect(throws: Templates.TemplateError.self) { try Templates().render("reminder", ["title": "x"]) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-templates-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "Subject: Erinnerung: {{title}}\n\nIn {{minutes}} Minuten: {{title}}.\n".write(
            toFile: folder + "/reminder.txt", atomically: true, encoding: .utf8)
        let rendered = try Templates(overrideDirectory: folder).render(
            "reminder",
            [
                "title": "Dienst", "minutes": "30", "start": "", "zone": "",
                "calendar": "", "date": "",
            ])
        #expect(rendered.subject == "Erinnerung: Dienst" && rendered.text == "In 30 Minuten: Dienst.\n")
        #expect(rendered.html?.contains("<strong>Dienst</strong>") == true, "the HTML part still comes from the shipped template")
    }
}
