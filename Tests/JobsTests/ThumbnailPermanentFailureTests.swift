import Foundation
import HTTPServer
import Jobs
import Media
import Testing
import Worker

/// Failures the next attempt would meet again are discarded at once with the reason, not
/// retried twenty times: redirects to schemes calworker does not follow, redirect loops,
/// paths outside the media root.
extension ThumbnailJobTests {
    @Test(arguments: ["file:///etc/passwd", "gopher://127.0.0.1:70/1", "LOOP"])
    func aPhotoURLThatRedirectsWhereItCannotGoIsDiscarded(location: String) throws {
        let server = try HTTPServer(address: "127.0.0.1:0") { request in
            let target = location == "LOOP" ? (request.path == "/a.jpg" ? "/b.jpg" : "/a.jpg") : location
            return HTTPServerResponse(status: 302, body: "", headers: [("Location", target)])
        }
        server.start()
        defer { server.stop() }
        let result = try run(#"{"source": "http://127.0.0.1:\#(server.port)/a.jpg", "target": "s3://\#(bucket)/thumbs/a.jpg"}"#)
        guard case .discard(let reason, _) = result else {
            Issue.record("expected a discard, got \(result)")
            return
        }
        #expect(reason.contains("127.0.0.1"), "\(reason)")
    }

    @Test(arguments: ["file:///etc/passwd", "file:///ROOT/../../etc/passwd", "file:///ROOT/photos/../../../etc/hosts"])
    func aPathOutsideTheMediaRootIsDiscarded(source: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-root-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/photos", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var environment = self.environment
        environment.media.mediaRoot = root
        let result = try run(
            #"{"source": "\#(source.replacingOccurrences(of: "/ROOT", with: root))", "target": "file://\#(root)/photos/thumbnails/x.jpg"}"#,
            environment: environment)
        guard case .discard(let reason, _) = result else {
            Issue.record("expected a discard, got \(result)")
            return
        }
        #expect(reason.contains("outside the media root"), "\(reason)")
    }
}
