import Crypto
import Foundation
import HTTPClient
import Metrics
import TestSupport
import Testing

@testable import Media

/// Files larger than one part go to S3 as multipart uploads (moto checks every signature and
/// S3's 5 MiB minimum part size); what killed uploads leave is cleared.
@Suite struct S3MultipartTests {
    let moto: MotoServer
    let bucket: String
    let folder: String

    init() throws {
        moto = try MotoServer.shared()
        bucket = try moto.createBucket()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-multipart-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func stores(partSize: Int64) -> MediaStores {
        var settings = S3StoreTests.settings(moto)
        settings.s3PartSize = partSize
        return MediaStores(settings: settings, metrics: MetricsRegistry())
    }

    /// A file of `size` bytes, each position's byte different enough that a part sent twice
    /// or out of order would change the object.
    func file(size: Int) throws -> (path: String, bytes: Data) {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: size)
        for index in stride(from: 0, to: size, by: 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { random in
                for offset in 0..<min(8, size - index) { bytes[index + offset] = random[offset] }
            }
        }
        let path = folder + "/upload-\(size).bin"
        let data = Data(bytes)
        try data.write(to: URL(fileURLWithPath: path))
        return (path, data)
    }

    @Test func aFileLargerThanOnePartArrivesWholeFromItsParts() throws {
        let (path, bytes) = try file(size: 12 << 20 + 12_345)
        let object = try MediaLocation("s3://\(bucket)/backups/big.cwbk")
        let stores = stores(partSize: 5 << 20)
        try stores.upload(object, file: path, sha256: Digest.hex(Digest.sha256([UInt8](bytes))), contentType: "application/octet-stream")
        let head = try #require(try stores.head(object))
        #expect(head.size == Int64(bytes.count))
        // S3's ETag of a multipart object is the hash of its parts' hashes, then the count.
        #expect(head.etag?.hasSuffix("-3\"") == true, "sent as three parts: \(head.etag ?? "no ETag")")
        var received = Data()
        _ = try stores.download(object) { received.append(contentsOf: $0) }
        #expect(received == bytes, "the parts were joined in order")
        #expect(
            try stores.removeAbandonedUploads(prefix: try MediaLocation("s3://\(bucket)/backups/"), olderThan: Date().addingTimeInterval(60)) == 0,
            "a completed upload leaves nothing unfinished")
    }

    @Test func aFileOfOnePartOrLessIsOnePut() throws {
        let (path, bytes) = try file(size: 5 << 20)
        let object = try MediaLocation("s3://\(bucket)/one.bin")
        let stores = stores(partSize: 5 << 20)
        try stores.upload(object, file: path, sha256: Digest.hex(Digest.sha256([UInt8](bytes))), contentType: "application/octet-stream")
        let head = try #require(try stores.head(object))
        #expect(head.size == Int64(bytes.count) && head.etag?.contains("-") == false, "a plain object: \(head.etag ?? "")")
    }

    @Test func unfinishedUploadsOlderThanTheCutoffAreAbortedAndOthersKept() throws {
        // What a run killed between its parts leaves: an initiated upload, never completed.
        let http = HTTPClient(service: "test", metrics: MetricsRegistry())
        func initiate(_ key: String) throws {
            var request = HTTPRequest(
                method: "POST", url: "\(moto.endpoint)/\(bucket)/\(key)?uploads=",
                headers: [
                    HTTPHeader("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                ], body: Data())
            request.awsSigV4 = AWSSigV4(region: moto.region, service: "s3", accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey)
            let response = try http.send(request)
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        }
        try initiate("backups/20261201T000000Z-dead/dump.cwbk")
        try initiate("backups/20261201T000001Z-dead/dump.cwbk")
        try initiate("elsewhere/photo.jpg")
        let stores = stores(partSize: 5 << 20)
        let prefix = try MediaLocation("s3://\(bucket)/backups/")
        // moto reports every upload as begun in 2010, so the cutoff is checked below on S3's own example.
        #expect(try stores.removeAbandonedUploads(prefix: prefix, olderThan: Date().addingTimeInterval(60)) == 2)
        #expect(try stores.removeAbandonedUploads(prefix: prefix, olderThan: Date().addingTimeInterval(60)) == 0, "they are gone")
        #expect(
            try stores.removeAbandonedUploads(prefix: try MediaLocation("s3://\(bucket)/elsewhere/"), olderThan: Date().addingTimeInterval(60)) == 1,
            "another prefix's upload was not touched")
    }

    /// The example of Amazon's ListMultipartUploads reference, trimmed: uploads with their start
    /// times (the `ID`s of `Initiator` and `Owner` are not the upload's), and where the next page starts.
    @Test func anUploadListingGivesEachUploadItsStartAndTheNextPage() throws {
        let page = try S3UploadsParser.parse(
            Data(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Bucket>example-bucket</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>
                  <NextKeyMarker>my-movie.m2ts</NextKeyMarker><NextUploadIdMarker>YW55IGlkZWEgd2h5</NextUploadIdMarker>
                  <MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated>
                  <Upload><Key>my-divisor</Key><UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
                    <Initiator><ID>arn:aws:iam::111122223333:user/user1</ID><DisplayName>user1</DisplayName></Initiator>
                    <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>
                    <StorageClass>STANDARD</StorageClass><Initiated>2026-11-30T22:00:01.000Z</Initiated></Upload>
                  <Upload><Key>my-movie.m2ts</Key><UploadId>YW55IGlkZWEgd2h5</UploadId>
                    <Initiated>2026-12-01T06:15:00Z</Initiated></Upload>
                </ListMultipartUploadsResult>
                """.utf8), for: try MediaLocation("s3://example-bucket/"))
        #expect(page.uploads.map(\.key) == ["my-divisor", "my-movie.m2ts"])
        #expect(page.uploads.first?.uploadID == "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw")
        #expect(page.uploads.map(\.initiated) == [Date(timeIntervalSince1970: 1_796_076_001), Date(timeIntervalSince1970: 1_796_105_700)])
        #expect(page.next?.keyMarker == "my-movie.m2ts" && page.next?.uploadIDMarker == "YW55IGlkZWEgd2h5")
        #expect { try S3UploadsParser.parse(Data("<html>proxy error</html>".utf8), for: try MediaLocation("s3://example-bucket/")) } throws: {
            ($0 as? MediaError)?.kind == .unavailable
        }
    }

    @Test func partsGrowOnlyWhenAFileWouldNeedMoreThanTenThousand() {
        #expect(S3Store.partSize(for: 1 << 30, preferred: 64 << 20) == 64 << 20)
        let largest = S3Store.partSize(for: S3Store.maxObjectBytes, preferred: 64 << 20)
        #expect(largest % (1 << 20) == 0 && (S3Store.maxObjectBytes + largest - 1) / largest <= S3Store.maxParts)
    }
}
