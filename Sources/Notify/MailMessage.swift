import Crypto
public import Foundation

/// An e-mail address with an optional display name: `Calendar <calendar@example.com>`.
public struct MailAddress: Sendable, Equatable {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// Parses `Name <address>` or a bare address; nil when it is not an address.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let display = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            name = display.isEmpty ? nil : display
        } else {
            address = trimmed
            name = nil
        }
        let parts = address.split(separator: "@")
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !address.contains(where: { $0.isWhitespace || "<>\"(),;:\\[]".contains($0) })
        else { return nil }
    }

    var header: String {
        guard let name else { return address }
        let plain = name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f && !"\"\\".unicodeScalars.contains($0) }
        return (plain ? "\"\(name)\"" : MIMEEncoding.headerValue(name, used: 6)) + " <\(address)>"
    }

    var domain: String { String(address.split(separator: "@").last ?? "calworker.invalid") }
}

/// One e-mail, rendered as RFC 5322 text: Date, Message-ID, From, To, an encoded Subject, and a
/// MIME body with plain-text and (optionally) HTML alternatives, both UTF-8 quoted-printable,
/// every line ending in CRLF.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var text: String
    public var html: String?
    /// Without the angle brackets. Stable per notification: a message sent again after a crash
    /// carries the same id, so mail systems can recognise it as the same message.
    public var messageID: String
    public var date: Date

    public init(from: MailAddress, to: [MailAddress], subject: String, text: String, html: String? = nil, messageID: String, date: Date = Date()) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
    }

    public func rendered() -> Data {
        var lines = [
            "Date: \(MIMEEncoding.date(date))",
            "Message-ID: <\(messageID)>",
            "From: \(from.header)",
            "To: \(to.map(\.header).joined(separator: ", "))",
            "Subject: \(MIMEEncoding.headerValue(subject, used: 9))",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ]
        let textPart = [
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "",
            MIMEEncoding.quotedPrintable(text),
        ]
        if let html {
            let boundary = "calworker-" + Digest.hex(Digest.sha256(Array((messageID + subject).utf8))).prefix(24)
            lines += ["Content-Type: multipart/alternative;", " boundary=\"\(boundary)\"", "", "This is a MIME message.", "--\(boundary)"]
            lines +=
                textPart + [
                    "--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "",
                    MIMEEncoding.quotedPrintable(html), "--\(boundary)--",
                ]
        } else {
            lines += textPart
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
