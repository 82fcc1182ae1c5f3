import Foundation
import HTTPClient
import Notify
import TestSupport
import Testing

/// libcurl's SMTP against a real server (aiosmtpd): STARTTLS and authentication required.
@Suite struct SMTPDeliveryTests {
    static func message(_ body: String, subject: String = "Schichtbeginn in 30 Minuten ✓") -> MailMessage {
        MailMessage(
            from: MailAddress(name: "Kalender Büro", address: "calendar@example.com"), to: [MailAddress(address: "ada@example.com")],
            subject: subject, text: body, html: "<p>\(body)</p>", messageID: "calworker.n42@example.com")
    }

    func client(_ server: SMTPTestServer, password: String = SMTPTestServer.password, caFile: String?? = nil) -> SMTPClient {
        SMTPClient(
            settings: SMTPSettings(
                url: server.url, username: SMTPTestServer.username, password: password,
                caFile: caFile ?? server.certificate))
    }

    @Test func aMessageWithDotLinesAndNonASCIITextArrivesByteForByte() throws {
        let server = try SMTPTestServer()
        let body = ".\n.. two dots\n.leading dot, then Grüße aus Köln — 😀\nA long line " + String(repeating: "äbc ", count: 40) + "end\n."
        let message = Self.message(body)
        try client(server).send(from: "calendar@example.com", to: ["ada@example.com"], message: message.rendered())
        let received = server.received()
        try #require(received.count == 1)
        #expect(received[0].raw == message.rendered(), "the server received exactly what was rendered (libcurl dot-stuffed, the server unstuffed)")
        #expect(received[0].tls && received[0].authenticated, "over STARTTLS, after AUTH")
        #expect(received[0].from == "calendar@example.com" && received[0].to == ["ada@example.com"])
        #expect(received[0].header("Message-ID") == "<calworker.n42@example.com>")
        #expect(received[0].header("Subject")?.hasPrefix("=?UTF-8?B?") == true)
        let decoded = QuotedPrintableTestDecoder.textPart(of: received[0].text)
        #expect(decoded == body.replacingOccurrences(of: "\n", with: "\r\n"), "the text part decodes to the original, dots and all")
    }

    @Test func aWrongPasswordIsAConfigurationErrorNamingTheSettings() throws {
        let server = try SMTPTestServer()
        do {
            try client(server, password: "wrong").send(from: "calendar@example.com", to: ["ada@example.com"], message: Self.message("x").rendered())
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(error.kind == .configuration && error.message.contains("CALWORKER_SMTP_PASSWORD") && !error.message.contains("wrong"))
        }
        #expect(server.received().isEmpty)
    }

    @Test func aServerWithoutSTARTTLSGetsNothingNotEvenInClearText() throws {
        let plain = try SMTPTestServer(plain: true)
        do {
            try client(plain).send(from: "calendar@example.com", to: ["ada@example.com"], message: Self.message("secret reminder").rendered())
            Issue.record("mail went out without TLS")
        } catch {
            #expect(error.kind == .configuration && error.message.contains("STARTTLS"), "\(error)")
        }
        #expect(plain.received().isEmpty, "never a silent downgrade")
    }

    @Test func plainTextGoesOnlyToALoopbackRelayAndOnlyWhenAllowed() throws {
        let relay = try SMTPTestServer(plain: true)
        let local = SMTPClient(settings: SMTPSettings(url: relay.url, plainTextToLoopback: true))
        try local.send(from: "calendar@example.com", to: ["ada@example.com"], message: Self.message("via the local relay").rendered())
        let received = try #require(relay.received().first)
        #expect(!received.tls && received.to == ["ada@example.com"] && received.text.contains("via the local relay"))

        let remote = SMTPClient(settings: SMTPSettings(url: "smtp://127.0.0.1.example.com:\(relay.port)", plainTextToLoopback: true))
        do {
            try remote.send(from: "calendar@example.com", to: ["ada@example.com"], message: Self.message("x").rendered())
            Issue.record("plain text to a host that is not loopback")
        } catch {
            #expect(error.kind == .configuration && error.message.contains("loopback only"), "\(error)")
        }
        #expect(relay.received().count == 1)
    }

    @Test func anUnverifiableCertificateIsRefused() throws {
        let server = try SMTPTestServer()
        do {
            try client(server, caFile: .some(nil)).send(from: "calendar@example.com", to: ["ada@example.com"], message: Self.message("x").rendered())
            Issue.record("a self-signed certificate was accepted without its CA")
        } catch {
            #expect(error.kind == .configuration && error.message.contains("CALWORKER_SMTP_CA_FILE"), "\(error)")
        }
        #expect(server.received().isEmpty)
    }
}

/// Reads the text/plain part of a message calworker rendered, undoing quoted-printable.
enum QuotedPrintableTestDecoder {
    static func textPart(of message: String) -> String? {
        guard let start = message.range(of: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n") else {
            return nil
        }
        let rest = message[start.upperBound...]
        let end = rest.range(of: "\r\n--calworker-")?.lowerBound ?? rest.endIndex
        return decode(String(rest[..<end]))
    }

    static func decode(_ text: String) -> String {
        let joined = text.replacingOccurrences(of: "=\r\n", with: "")
        var bytes: [UInt8] = []
        var iterator = Array(joined.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "="), iterator.count >= 2, let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
