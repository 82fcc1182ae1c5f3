import Foundation
import HTTPServer
import Media
import Metrics
import Testing

@Suite struct HTTPStoreTests {
    let server: HTTPServer
    let stores = MediaStores(settings: MediaSettings(), metrics: MetricsRegistry())

    init() throws {
        server = try HTTPServer(address: "127.0.0.1:0") { request in
            switch request.path {
            case "/photo.jpg":
                HTTPServerResponse(
                    status: 200, contentType: "image/jpeg", bytes: Array(repeating: 7, count: 5000),
                    headers: [("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT")])
            case "/moved.jpg": HTTPServerResponse(status: 302, contentType: "text/plain", bytes: [], headers: [("Location", "/photo.jpg")])
            case "/busy.jpg": HTTPServerResponse(status: 503, body: "try later")
            default: HTTPServerResponse(status: 404, body: "no")
            }
        }
        server.start()
    }

    func url(_ path: String) throws -> MediaLocation { try MediaLocation("http://127.0.0.1:\(server.port)\(path)") }

    @Test func getsHeadsAndFollowsRedirects() throws {
        #expect(try stores.get(try url("/photo.jpg"), maxBytes: 10_000).count == 5000)
        #expect(try stores.get(try url("/moved.jpg"), maxBytes: 10_000).count == 5000)
        let head = try #require(try stores.head(try url("/photo.jpg")))
        #expect(head.size == 5000 && head.lastModified == Date(timeIntervalSince1970: 1_796_119_200))
        #expect(try stores.head(try url("/missing.jpg")) == nil)
    }

    @Test func errorsSayWhetherToRetry() throws {
        #expect { try stores.get(try url("/missing.jpg"), maxBytes: 100) } throws: { ($0 as? MediaError)?.kind == .notFound }
        #expect { try stores.get(try url("/photo.jpg"), maxBytes: 100) } throws: { ($0 as? MediaError)?.kind == .tooLarge }
        #expect { try stores.get(try url("/busy.jpg"), maxBytes: 100) } throws: { ($0 as? MediaError)?.isRetryable == true }
        #expect { try stores.put(try url("/photo.jpg"), data: Data([1]), contentType: "image/jpeg") } throws: {
            ($0 as? MediaError)?.kind == .invalid
        }
        let closed = try MediaLocation("http://127.0.0.1:9/photo.jpg")
        #expect { try stores.get(closed, maxBytes: 100) } throws: { ($0 as? MediaError)?.isRetryable == true }
    }

    @Test func aPhotoIsStreamedAndWhatHTTPCannotDoIsRefusedSayingWhy() throws {
        var streamed = Data()
        let received = try stores.download(try url("/photo.jpg")) { streamed.append(contentsOf: $0) }
        #expect(received == 5000 && streamed.count == 5000 && streamed.allSatisfy { $0 == 7 })
        #expect { _ = try stores.download(try url("/missing.jpg")) { _ in } } throws: { ($0 as? MediaError)?.kind == .notFound }
        let photo = try url("/photo.jpg")
        for (what, operation) in [
            ("delete", { try stores.delete(photo) }),
            ("upload", { try stores.upload(photo, file: "/dev/null", sha256: "", contentType: "image/jpeg") }),
            ("list", { _ = try stores.list(prefix: try url("/")) }),
        ] as [(String, () throws -> Void)] {
            #expect(throws: MediaError.self, "\(what)") { try operation() }
            do {
                try operation()
            } catch let error as MediaError {
                #expect(error.kind == .invalid && !error.isRetryable && error.message.contains("s3:// or file://"), "\(what): \(error)")
            }
        }
        #expect { _ = try MediaLocation("s3://photos/a\u{7}b.jpg") } throws: { ($0 as? MediaError)?.message.contains("control characters") == true }
    }
}
