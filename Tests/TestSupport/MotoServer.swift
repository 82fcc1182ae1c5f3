public import Foundation
import HTTPClient
import Metrics

/// A real S3 server on loopback: the PyPI package moto in server mode (`scripts/setup-deps`
/// installs `moto[server]`), with signature checking on. moto lets the first
/// `INITIAL_NO_AUTH_ACTION_COUNT` requests through unsigned; those three create an IAM user,
/// its access key and a policy allowing s3:*, and from then on every request must carry a
/// valid AWS Signature Version 4 for that key, so a wrongly signed request fails the test.
///
/// One server per test process (`shared`), started on first use: moto takes seconds to
/// start. It stops itself when the test process goes away, however that ends.
public final class MotoServer: Sendable {
    public let port: Int
    public let accessKeyID: String
    public let secretAccessKey: String
    public let region = "us-east-1"
    /// The Python running moto (kept: dropping a `ChildProcess` kills it).
    private let server: ChildProcess

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    private static let started = Result { try MotoServer() }

    public static func shared() throws -> MotoServer { try started.get() }

    private init() throws {
        port = try freeTCPPort()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cw-moto-\(UUID().uuidString)").path
        var environment = ProcessInfo.processInfo.environment
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
        // moto in a Python that exits as soon as its parent (this test process) is gone.
        let script = """
            import os, sys, threading, time
            parent = os.getppid()
            def watch():
                while os.getppid() == parent:
                    time.sleep(0.5)
                os._exit(0)
            threading.Thread(target=watch, daemon=True).start()
            from moto.server import main
            main(["-H", "127.0.0.1", "-p", "\(port)"])
            """
        server = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["python3", "-c", script], environment: environment,
            stdout: base + ".out", stderr: base + ".err")
        let http = HTTPClient(service: "moto_admin", metrics: MetricsRegistry())
        let url = "http://127.0.0.1:\(port)"
        guard eventually(timeout: 60, { (try? http.send(HTTPRequest(method: "GET", url: url + "/moto-api/data.json")))?.isSuccess ?? false }) else {
            let log = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            throw ConnectError(message: "moto did not start on port \(port) (is `moto[server]` installed?): \(log.suffix(500))")
        }
        // The unsigned requests: moto routes them to IAM by the credential scope they name.
        func iam(_ form: String) throws -> String {
            let scope = "AWS4-HMAC-SHA256 Credential=setup/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0"
            let response = try http.send(
                HTTPRequest(
                    method: "POST", url: url + "/",
                    headers: [
                        HTTPHeader("Content-Type", "application/x-www-form-urlencoded"), HTTPHeader("Authorization", scope),
                    ], body: Data(form.utf8)))
            let text = String(decoding: response.body, as: UTF8.self)
            guard response.isSuccess else { throw ConnectError(message: "moto IAM setup failed: \(text.prefix(300))") }
            return text
        }
        _ = try iam("Action=CreateUser&UserName=calworker&Version=2010-05-08")
        let key = try iam("Action=CreateAccessKey&UserName=calworker&Version=2010-05-08")
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        _ = try iam(
            "Action=PutUserPolicy&UserName=calworker&PolicyName=s3&Version=2010-05-08&PolicyDocument="
                + policy.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        func field(_ name: String) throws -> String {
            guard let start = key.range(of: "<\(name)>"), let end = key.range(of: "</\(name)>", range: start.upperBound..<key.endIndex) else {
                throw ConnectError(message: "moto's CreateAccessKey answer has no \(name)")
            }
            return String(key[start.upperBound..<end.lowerBound])
        }
        accessKeyID = try field("AccessKeyId")
        secretAccessKey = try field("SecretAccessKey")
    }

    /// Creates a bucket (signed, like everything after setup) and returns its name.
    @discardableResult
    public func createBucket(_ name: String = "cw-\(UUID().uuidString.prefix(8).lowercased())") throws -> String {
        var request = HTTPRequest(
            method: "PUT", url: "\(endpoint)/\(name)",
            headers: [HTTPHeader("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")])
        request.body = Data()
        request.awsSigV4 = AWSSigV4(region: region, service: "s3", accessKeyID: accessKeyID, secretAccessKey: secretAccessKey)
        let response = try HTTPClient(service: "moto_admin", metrics: MetricsRegistry()).send(request)
        guard response.isSuccess else {
            throw ConnectError(message: "creating bucket \(name): HTTP \(response.status) \(response.bodyExcerpt(limit: 2000))")
        }
        return name
    }
}
