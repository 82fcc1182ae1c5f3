import Foundation
import Media
import Metrics
import TestSupport
import Testing

/// Against moto with signature checking on: every request here is signed by libcurl.
@Suite struct S3StoreTests {
    let moto: MotoServer
    let stores: MediaStores
    let bucket: String

    init() throws {
        moto = try MotoServer.shared()
        bucket = try moto.createBucket()
        stores = MediaStores(settings: Self.settings(moto), metrics: MetricsRegistry())
    }

    static func settings(_ moto: MotoServer, secret: String? = nil, pageSize: Int? = nil) -> MediaSettings {
        var settings = MediaSettings(
            s3Endpoint: moto.endpoint, s3Region: moto.region, s3AccessKeyID: moto.accessKeyID,
            s3SecretAccessKey: secret ?? moto.secretAccessKey)
        settings.s3ListPageSize = pageSize
        return settings
    }

    @Test func putHeadGetDeleteRoundTrip() throws {
        let photo = try MediaLocation("s3://\(bucket)/photos/2026/IMG 0001.jpg")
        let bytes = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        #expect(try stores.head(photo) == nil)
        try stores.put(photo, data: bytes, contentType: "image/jpeg")
        let object = try #require(try stores.head(photo))
        #expect(object.size == 70_000)
        #expect(abs(object.lastModified!.timeIntervalSinceNow) < 300)
        #expect(try stores.get(photo, maxBytes: 1 << 20) == bytes)
        try stores.delete(photo)
        #expect(try stores.head(photo) == nil)
        try stores.delete(photo)  // gone already: not an error
    }

    @Test func aDownloadLargerThanTheLimitIsRefused() throws {
        let big = try MediaLocation("s3://\(bucket)/big.bin")
        try stores.put(big, data: Data(count: 10_000), contentType: "application/octet-stream")
        #expect { try stores.get(big, maxBytes: 4096) } throws: { ($0 as? MediaError)?.kind == .tooLarge }
    }

    @Test func aMissingObjectIsNotFound() throws {
        let missing = try MediaLocation("s3://\(bucket)/nothing-here.jpg")
        #expect { try stores.get(missing, maxBytes: 1000) } throws: { ($0 as? MediaError)?.kind == .notFound }
    }

    @Test func listingFollowsContinuationTokensAndKeepsToThePrefix() throws {
        let paged = MediaStores(settings: Self.settings(moto, pageSize: 2), metrics: MetricsRegistry())
        for key in ["photos/a.jpg", "photos/b.jpg", "photos/sub/c.jpg", "photos/d e.png", "photos/thumbnails/a.jpg", "other/x.jpg"] {
            try paged.put(try MediaLocation("s3://\(bucket)/\(key)"), data: Data(key.utf8), contentType: "image/jpeg")
        }
        let listed = try paged.list(prefix: try MediaLocation("s3://\(bucket)/photos/"))
        #expect(
            listed.map(\.location.description)
                == ["a.jpg", "b.jpg", "d e.png", "sub/c.jpg", "thumbnails/a.jpg"].map { "s3://\(bucket)/photos/\($0)" })
        #expect(listed.first?.size == Int64("photos/a.jpg".utf8.count))
    }

    @Test func aWrongSecretIsDeniedWithAHintAndNeverShown() throws {
        let wrong = MediaStores(settings: Self.settings(moto, secret: "not-the-secret-9f8e7d"), metrics: MetricsRegistry())
        do {
            try wrong.put(try MediaLocation("s3://\(bucket)/x.jpg"), data: Data([1, 2, 3]), contentType: "image/jpeg")
            Issue.record("a request signed with the wrong secret was accepted: signature checking is off")
        } catch {
            #expect(error.kind == .denied)
            #expect(error.message.contains("CALWORKER_S3_SECRET_ACCESS_KEY") && !error.message.contains("not-the-secret"))
        }
    }

    @Test func noCredentialsIsDeniedBeforeAnyRequest() throws {
        let anonymous = MediaStores(settings: MediaSettings(s3Endpoint: moto.endpoint), metrics: MetricsRegistry())
        #expect { try anonymous.head(try MediaLocation("s3://\(bucket)/x.jpg")) } throws: { ($0 as? MediaError)?.kind == .denied }
    }
}
