import Foundation
import Media
import Metrics
import Testing

@Suite struct FileStoreTests {
    let root: String
    let stores: MediaStores

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-media-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        stores = MediaStores(settings: MediaSettings(mediaRoot: root), metrics: MetricsRegistry())
    }

    @Test func writesAtomicallyAndListsUnderThePrefix() throws {
        let photo = try MediaLocation("file://\(root)/photos/a.jpg")
        try stores.put(photo, data: Data("one".utf8), contentType: "image/jpeg")
        try stores.put(try MediaLocation("file://\(root)/photos/sub/b.jpg"), data: Data("two".utf8), contentType: "image/jpeg")
        try stores.put(try MediaLocation("file://\(root)/other/c.jpg"), data: Data("three".utf8), contentType: "image/jpeg")
        #expect(try stores.get(photo, maxBytes: 100) == Data("one".utf8))
        #expect(try stores.head(photo)?.size == 3)
        let listed = try stores.list(prefix: try MediaLocation("file://\(root)/photos/")).map(\.location.description)
        #expect(listed == ["file://\(root)/photos/a.jpg", "file://\(root)/photos/sub/b.jpg"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/photos").filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "no temporary file left behind")
        #expect { try stores.get(photo, maxBytes: 2) } throws: { ($0 as? MediaError)?.kind == .tooLarge }
        try stores.delete(photo)
        #expect(try stores.head(photo) == nil)
    }

    @Test func nothingOutsideTheRootCanBeReachedNotEvenThroughALink() throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/escape", withDestinationPath: "/etc")
        for text in ["file://\(root)/../etc/passwd", "file:///etc/passwd", "file://\(root)/escape/passwd", "file://\(root)/escape/new.jpg"] {
            let location = try MediaLocation(text)
            #expect { try stores.get(location, maxBytes: 1 << 20) } throws: { ($0 as? MediaError)?.kind == .invalid }
            #expect { try stores.put(location, data: Data([1]), contentType: "image/jpeg") } throws: { ($0 as? MediaError)?.kind == .invalid }
        }
        #expect(!FileManager.default.fileExists(atPath: "/etc/new.jpg"))
    }

    @Test func withoutAMediaRootFileLocationsAreRefused() throws {
        let none = MediaStores(settings: MediaSettings(), metrics: MetricsRegistry())
        do {
            _ = try none.head(try MediaLocation("file://\(root)/a.jpg"))
            Issue.record("a file:// location was used without CALWORKER_MEDIA_ROOT")
        } catch {
            #expect(error.kind == .invalid && error.message.contains("CALWORKER_MEDIA_ROOT"))
        }
    }

    @Test func aRootOfSlashAllowsEveryAbsolutePath() throws {
        let everything = MediaStores(settings: MediaSettings(mediaRoot: "/"), metrics: MetricsRegistry())
        let file = try MediaLocation("file://\(root)/anywhere.txt")
        try everything.put(file, data: Data("x".utf8), contentType: "text/plain")
        #expect(try everything.get(file, maxBytes: 10) == Data("x".utf8))
    }
}
