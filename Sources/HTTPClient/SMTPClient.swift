public import Basics
import CCurl
public import Foundation

/// Where and how to hand mail over (`CALWORKER_SMTP_*`).
public struct SMTPSettings: Sendable {
    /// `smtp://host:587` (STARTTLS required: never a silent downgrade to plain text) or
    /// `smtps://host:465` (TLS from the first byte).
    public var url: String
    public var username: String?
    public var password: String?
    /// An extra CA bundle for a private CA or a test's self-signed certificate. Verification
    /// of the server's certificate and name stays on either way.
    public var caFile: String?
    public var timeout: Duration = .seconds(60)
    /// Plain text to a relay on this machine (`CALWORKER_SMTP_TLS=none`): a local MTA on
    /// loopback, whose own onward delivery does the TLS. Refused for any other host.
    public var plainTextToLoopback = false

    public init(url: String, username: String? = nil, password: String? = nil, caFile: String? = nil, plainTextToLoopback: Bool = false) {
        self.url = url
        self.username = username
        self.password = password
        self.caFile = caFile
        self.plainTextToLoopback = plainTextToLoopback
    }
}

/// Why mail was not handed over, sorted by whether trying again may help.
public struct SMTPError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable { case transient, permanent, configuration }
    public var kind: Kind
    public var message: String
    /// The server's last reply code (250, 535, 550, ...), when there was one.
    public var replyCode: Int?

    public init(kind: Kind, message: String, replyCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.replyCode = replyCode
    }

    public var description: String { message }
}

/// SMTP through libcurl: one connection per message, STARTTLS required on `smtp://`,
/// authentication when a username is set, MAIL FROM and RCPT TO from the envelope. The message
/// must already be RFC 5322 text with CRLF line endings: libcurl dot-stuffs only lines that
/// follow a CRLF.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings

    public init(settings: SMTPSettings) { self.settings = settings }

    public func send(from sender: String, to recipients: [String], message: Data) throws(SMTPError) {
        let scheme = settings.url.split(separator: ":").first.map { $0.lowercased() }
        guard scheme == "smtp" || scheme == "smtps" else {
            throw SMTPError(
                kind: .configuration,
                message: "CALWORKER_SMTP_URL must be smtp://host:587 or smtps://host:465, not \(HTTPClient.redact(settings.url))")
        }
        if settings.plainTextToLoopback && !Loopback.isSMTPRelay(settings.url) {
            throw SMTPError(
                kind: .configuration,
                message: "CALWORKER_SMTP_TLS=none is for an smtp:// relay on loopback only, not "
                    + "\(HTTPClient.redact(settings.url)); mail to any other host goes over TLS")
        }
        guard !recipients.isEmpty else { throw SMTPError(kind: .permanent, message: "no recipient") }
        for address in [sender] + recipients where address.contains(where: { $0 == "<" || $0 == ">" || $0 == "\r" || $0 == "\n" }) {
            throw SMTPError(kind: .permanent, message: "'\(address)' is not a plain e-mail address")
        }
        do {
            let easy = try CurlEasy()
            let source = BytesBodySource([UInt8](message))
            let state = CurlTransfer(maxBytes: 1 << 20, shouldAbort: nil)
            state.source = source
            try easy.set(CURLOPT_URL, settings.url)
            try easy.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
            try easy.set(CURLOPT_USE_SSL, Int((settings.plainTextToLoopback ? CURLUSESSL_NONE : CURLUSESSL_ALL).rawValue))
            try easy.set(CURLOPT_TIMEOUT_MS, Int(settings.timeout.wholeMilliseconds))
            try easy.set(CURLOPT_CONNECTTIMEOUT_MS, 15_000)
            if let caFile = settings.caFile { try easy.set(CURLOPT_CAINFO, caFile) }
            if let username = settings.username, !username.isEmpty {
                try easy.set(CURLOPT_USERNAME, username)
                try easy.set(CURLOPT_PASSWORD, settings.password ?? "")
            }
            try easy.set(CURLOPT_MAIL_FROM, "<\(sender)>")
            try easy.setList(CURLOPT_MAIL_RCPT, recipients.map { "<\($0)>" })
            try easy.set(CURLOPT_UPLOAD, 1)
            try easy.setRead(CurlTransfer.read)
            try easy.set(CURLOPT_READDATA, pointer: state.opaque)
            try easy.set(CURLOPT_WRITEFUNCTION, callback: CurlTransfer.write)
            try easy.set(CURLOPT_WRITEDATA, pointer: state.opaque)
            let code = withExtendedLifetime(state) { easy.perform() }
            let reply = easy.responseCode()
            guard code != CURLE_OK else { return }
            throw Self.classify(code, reply: reply, detail: easy.message(for: code), url: HTTPClient.redact(settings.url))
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError(kind: .configuration, message: "libcurl refused the SMTP settings: \(error)")
        }
    }

    static func classify(_ code: CURLcode, reply: Int, detail: String, url: String) -> SMTPError {
        let replyText = reply > 0 ? " (server replied \(reply))" : ""
        switch code {
        case CURLE_USE_SSL_FAILED:
            return SMTPError(
                kind: .configuration,
                message: "\(url) does not offer STARTTLS; calworker never sends mail in plain text "
                    + "(use smtps:// or a server with STARTTLS): \(detail)", replyCode: reply)
        case CURLE_LOGIN_DENIED:
            return SMTPError(
                kind: .configuration,
                message: "\(url) refused the login\(replyText); check CALWORKER_SMTP_USERNAME and "
                    + "CALWORKER_SMTP_PASSWORD", replyCode: reply)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            return SMTPError(
                kind: .configuration,
                message: "\(url): the server's TLS certificate did not verify (\(detail)); "
                    + "set CALWORKER_SMTP_CA_FILE for a private CA", replyCode: reply)
        default:
            if reply >= 500 { return SMTPError(kind: .permanent, message: "\(url) refused the message\(replyText): \(detail)", replyCode: reply) }
            return SMTPError(kind: .transient, message: "\(url): \(detail)\(replyText); will retry", replyCode: reply > 0 ? reply : nil)
        }
    }
}

extension SMTPError: CalworkerError {
    public var errorCode: String { kind.rawValue }
    public var isRetryable: Bool { kind == .transient }
}
