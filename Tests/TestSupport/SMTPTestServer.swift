public import Foundation

/// A real SMTP server on loopback: the PyPI package aiosmtpd (`scripts/setup-deps` installs
/// it), with STARTTLS required (a self-signed certificate made here with `openssl`) and
/// authentication required, or, with `plain: true`, a server offering neither (to prove
/// calworker refuses to send in clear text). Every message it accepts is written to
/// `directory` as the exact bytes received (`.eml`) and its envelope (`.json`).
public final class SMTPTestServer: Sendable {
    public let port: Int
    public let directory: String
    /// The certificate, for `CALWORKER_SMTP_CA_FILE`.
    public let certificate: String
    public static let username = "calworker"
    public static let password = "s3cret-smtp-7"
    private let server: ChildProcess

    public struct Received: Sendable {
        public var raw: Data
        public var from: String
        public var to: [String]
        public var tls: Bool
        public var authenticated: Bool

        public var text: String { String(decoding: raw, as: UTF8.self) }

        /// A header's value (unfolded), e.g. `Message-ID`.
        public func header(_ name: String) -> String? {
            let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
            var unfolded: [String] = []
            for line in head.components(separatedBy: "\r\n") {
                if line.hasPrefix(" ") || line.hasPrefix("\t"), !unfolded.isEmpty {
                    unfolded[unfolded.count - 1] += line
                } else {
                    unfolded.append(line)
                }
            }
            return unfolded.first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// - Parameter delay: seconds the server waits before accepting each message's data.
    public init(plain: Bool = false, delay: Double = 0) throws {
        port = try freeTCPPort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-smtp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        certificate = directory + "/cert.pem"
        let key = directory + "/key.pem"
        let openssl = try ChildProcess(
            executable: "/usr/bin/openssl",
            arguments: [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ], environment: ProcessInfo.processInfo.environment, stdout: directory + "/openssl.out", stderr: directory + "/openssl.err")
        guard openssl.wait(timeout: 60) == 0 else { throw ConnectError(message: "openssl could not make a certificate") }
        let script = """
            import asyncio, json, os, ssl, sys, time
            from aiosmtpd.controller import Controller
            from aiosmtpd.smtp import AuthResult, LoginPassword
            out, port, cert, key, plain, delay = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] == "1", float(sys.argv[6])
            parent = os.getppid()
            class Handler:
                count = 0
                async def handle_DATA(self, server, session, envelope):
                    if delay:
                        await asyncio.sleep(delay)
                    Handler.count += 1
                    base = os.path.join(out, "%06d-%d" % (Handler.count, time.time_ns()))
                    with open(base + ".json", "w") as f:
                        json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None,
                                   "authenticated": bool(session.authenticated)}, f)
                    with open(base + ".tmp", "wb") as f:
                        f.write(envelope.original_content)
                    os.rename(base + ".tmp", base + ".eml")
                    return "250 Message accepted for delivery"
            def authenticate(server, session, envelope, mechanism, data):
                ok = isinstance(data, LoginPassword) and data.login == b"\(Self.username)" and data.password == b"\(Self.password)"
                return AuthResult(success=ok, handled=False)
            if plain:
                controller = Controller(Handler(), hostname="127.0.0.1", port=port)
            else:
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                context.load_cert_chain(cert, key)
                controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                                        authenticator=authenticate, auth_required=True, auth_require_tls=True)
            controller.start()
            open(os.path.join(out, "ready"), "w").close()
            while os.getppid() == parent:
                time.sleep(0.5)
            controller.stop()
            """
        server = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: [
                "python3", "-c", script, directory, String(port), certificate, key,
                plain ? "1" : "0", String(delay),
            ],
            environment: ProcessInfo.processInfo.environment, stdout: directory + "/server.out", stderr: directory + "/server.err")
        guard eventually(timeout: 30, { FileManager.default.fileExists(atPath: self.directory + "/ready") }) else {
            let log = (try? String(contentsOfFile: directory + "/server.err", encoding: .utf8)) ?? ""
            throw ConnectError(message: "aiosmtpd did not start (is it installed? pip install aiosmtpd): \(log.suffix(600))")
        }
    }

    deinit {
        server.signal(SIGTERM)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `smtp://127.0.0.1:PORT` (STARTTLS is upgraded into).
    public var url: String { "smtp://127.0.0.1:\(port)" }

    /// Every message accepted so far, in order.
    public func received() -> [Received] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return names.compactMap { name in
            let base = directory + "/" + String(name.dropLast(4))
            guard let raw = FileManager.default.contents(atPath: base + ".eml"), let envelope = FileManager.default.contents(atPath: base + ".json"),
                let object = try? JSONSerialization.jsonObject(with: envelope) as? [String: Any]
            else { return nil }
            return Received(
                raw: raw, from: object["from"] as? String ?? "", to: object["to"] as? [String] ?? [], tls: object["tls"] as? Bool ?? false,
                authenticated: object["authenticated"] as? Bool ?? false)
        }
    }
}
