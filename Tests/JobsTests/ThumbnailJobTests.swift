import Foundation
import JobQueue
import Jobs
import Logging
import Media
import Metrics
import Postgres
import TestSupport
import Testing
import Thumbnails
import Worker

/// The `thumbnail` job against moto (S3 with signature checking) and a media root on disk.
@Suite struct ThumbnailJobTests {
    let moto: MotoServer
    let bucket: String
    let environment: JobEnvironment
    let stores: MediaStores

    init() throws {
        moto = try MotoServer.shared()
        bucket = try moto.createBucket()
        var environment = JobEnvironment()
        environment.media = MediaSettings(
            s3Endpoint: moto.endpoint, s3Region: moto.region, s3AccessKeyID: moto.accessKeyID,
            s3SecretAccessKey: moto.secretAccessKey)
        self.environment = environment
        stores = MediaStores(settings: environment.media, metrics: MetricsRegistry())
    }

    func s3(_ key: String) throws -> MediaLocation { try MediaLocation("s3://\(bucket)/\(key)") }

    func run(_ args: String, environment: JobEnvironment? = nil, db: PostgresConnection? = nil) throws -> JobResult {
        let job = ClaimedJob(
            id: 7, kind: "thumbnail", queue: "media", args: args, attempt: 1, maxAttempts: 5, priority: 0,
            timeout: nil, startedAt: Date(), dueAt: Date())
        let context = JobContext(
            job: job, logger: .disabled, stopSignal: StopSignal(), deadline: .now + .seconds(120), metrics: MetricsRegistry(),
            connectionProvider: {
                guard let db else { throw JobArgsError("no database in this test") }
                return db
            })
        let decoded = try JSONDecoder().decode(ThumbnailJob.Args.self, from: Data(args.utf8))
        _ = try ThumbnailJob(environment: environment ?? self.environment).validate(decoded)
        return try JobKinds.registry(environment ?? self.environment).attempt(kind: ThumbnailJob.kind, args: args, context: context)
    }

    @Test func aPhotoInS3GetsItsThumbnailBesideItOnceUnlessForced() throws {
        let photo = try SyntheticImage.encode(width: 1200, height: 900, pattern: .photo(seed: 1), suffix: ".jpg[Q=90]", orientation: 6)
        try stores.put(try s3("photos/a.jpg"), data: photo, contentType: "image/jpeg")
        guard case .success(let figures) = try run(#"{"source": "s3://\#(bucket)/photos/a.jpg"}"#) else {
            Issue.record("the thumbnail was not made")
            return
        }
        #expect(figures["thumbnails_made"] == 1 && figures["bytes_in"] == Double(photo.count) && figures["pixels_in"] == 1_080_000)
        #expect(figures["decode_ms"] != nil && figures["encode_ms"] != nil)
        let made = try stores.get(try s3("photos/thumbnails/a.jpg"), maxBytes: 1 << 20)
        #expect(figures["bytes_out"] == Double(made.count))
        let info = try ImageProbe.info(made)
        #expect(info.format == "jpeg" && info.width == 200 && info.height == 200 && !info.hasEXIF)

        #expect(
            try run(#"{"source": "s3://\#(bucket)/photos/a.jpg"}"#) == .success(JobFigures(["up_to_date": 1])),
            "an existing thumbnail newer than its photo is not made again")
        guard case .success(let forced) = try run(#"{"source": "s3://\#(bucket)/photos/a.jpg", "force": true}"#) else {
            Issue.record("force did not remake it")
            return
        }
        #expect(forced["thumbnails_made"] == 1)
        // A photo replaced after its thumbnail was made gets a new one.
        Thread.sleep(forTimeInterval: 1.1)
        try stores.put(try s3("photos/a.jpg"), data: photo, contentType: "image/jpeg")
        guard case .success(let redone) = try run(#"{"source": "s3://\#(bucket)/photos/a.jpg"}"#) else {
            Issue.record("not redone")
            return
        }
        #expect(redone["thumbnails_made"] == 1)
    }

    @Test func sizeCropAndFormatChooseTheTargetAndTheOutput() throws {
        let photo = try SyntheticImage.encode(width: 600, height: 400, pattern: .photo(seed: 2), suffix: ".png")
        try stores.put(try s3("photos/b.png"), data: photo, contentType: "image/png")
        let result = try run(#"{"source": "s3://\#(bucket)/photos/b.png", "size": 120, "height": 80, "crop": "attention", "format": "webp"}"#)
        guard case .success = result else {
            Issue.record("\(result)")
            return
        }
        let info = try ImageProbe.info(try stores.get(try s3("photos/thumbnails/120x80/b.png.webp"), maxBytes: 1 << 20))
        #expect(info.format == "webp" && info.width == 120 && info.height == 80)
    }

    @Test func badPhotosAreDiscardedWithTheReasonAndNothingIsWritten() throws {
        var small = environment
        small.media.maxDownloadBytes = 20_000
        let cases: [(String, Data, String)] = [
            ("photos/page.jpg", Data("<html><body>Sign in</body></html>".utf8), "not an image"),
            (
                "photos/cut.jpg", try SyntheticImage.encode(width: 800, height: 600, pattern: .photo(seed: 5), suffix: ".jpg").prefix(9000),
                "making the thumbnail"
            ),
            ("photos/scan.jpg", try SyntheticImage.encode(width: 64, height: 64, pattern: .quadrants, suffix: ".tif"), "only JPEG"),
            ("photos/bomb.png", SyntheticImage.pngHeader(width: 90_000, height: 90_000), "pixels"),
            ("photos/huge.jpg", Data(count: 30_000), "bytes"),
        ]
        for (key, data, reason) in cases {
            try stores.put(try s3(key), data: data, contentType: "image/jpeg")
            let result = try run(#"{"source": "s3://\#(bucket)/\#(key)"}"#, environment: small)
            guard case .discard(let message, _) = result else {
                Issue.record("\(key) was not discarded: \(result)")
                continue
            }
            #expect(message.contains(reason) && message.contains(key), "\(key): \(message)")
            #expect(try stores.head(try s3("photos/thumbnails/" + (key as NSString).lastPathComponent)) == nil)
        }
        guard case .discard(let missing, _) = try run(#"{"source": "s3://\#(bucket)/photos/none.jpg"}"#) else {
            Issue.record("a missing photo was not discarded")
            return
        }
        #expect(missing.contains("no such object"))
    }

    @Test func anUnreachableStoreFailsTheAttemptSoTheQueueRetries() throws {
        var down = environment
        down.media.s3Endpoint = "http://127.0.0.1:9"
        #expect { try run(#"{"source": "s3://\#(bucket)/photos/a.jpg"}"#, environment: down) } throws: {
            ($0 as? MediaError)?.isRetryable == true
        }
        #expect { try run(#"{"source": "http://127.0.0.1:9/a.jpg", "target": "s3://\#(bucket)/t/a.jpg"}"#) } throws: {
            ($0 as? MediaError)?.isRetryable == true
        }
    }

    @Test func aSweepEnqueuesOneJobPerPhotoLackingAThumbnailAndNoMore() throws {
        let database = try TestDatabase.make()
        defer { database.drop() }
        let db = try database.connect()
        let jpeg = try SyntheticImage.encode(width: 400, height: 300, pattern: .photo(seed: 3), suffix: ".jpg")
        for key in ["sweep/a.jpg", "sweep/b.JPEG", "sweep/sub/c.webp", "sweep/notes.txt", "other/d.jpg"] {
            try stores.put(try s3(key), data: jpeg, contentType: "image/jpeg")
        }
        guard case .success = try run(#"{"source": "s3://\#(bucket)/sweep/a.jpg"}"#) else {
            Issue.record("a.jpg")
            return
        }
        let sweep = #"{"prefix": "s3://\#(bucket)/sweep/"}"#
        guard case .success(let first) = try run(sweep, db: db) else {
            Issue.record("the sweep failed")
            return
        }
        #expect(first["photos"] == 3 && first["up_to_date"] == 1 && first["enqueued"] == 2, "\(first.json)")
        let queued = try db.query("SELECT args::text FROM calworker.jobs WHERE kind = 'thumbnail' AND queue = 'media' ORDER BY id")
            .map { try $0.decode(String.self, at: 0) }
        #expect(queued.count == 2 && queued[0].contains("sweep/b.JPEG") && queued[1].contains("sweep/sub/c.webp"))
        guard case .success(let again) = try run(sweep, db: db) else {
            Issue.record("the second sweep failed")
            return
        }
        #expect(again["enqueued"] == 0 && again["already_queued"] == 2, "unique keys: a second sweep adds nothing")
        for args in queued {
            guard case .success = try run(args) else {
                Issue.record("queued job \(args)")
                continue
            }
        }
        try db.execute("UPDATE calworker.jobs SET state = 'completed' WHERE kind = 'thumbnail'")
        guard case .success(let done) = try run(sweep, db: db) else {
            Issue.record("the last sweep failed")
            return
        }
        #expect(done["up_to_date"] == 3 && done["enqueued"] == 0)
        #expect(try stores.head(try s3("sweep/thumbnails/b.JPEG")) != nil && stores.head(try s3("sweep/sub/thumbnails/c.webp.jpg")) != nil)
    }

    @Test func aMediaRootOnDiskWorksTheSame() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cw-thumbs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        var local = JobEnvironment()
        local.media = MediaSettings(mediaRoot: root)
        let files = MediaStores(settings: local.media, metrics: MetricsRegistry())
        let photo = try MediaLocation("file://\(root)/journal/p.heic")
        try files.put(
            photo, data: try SyntheticImage.encode(width: 320, height: 240, pattern: .quadrants, suffix: ".heic"), contentType: "image/heic")
        guard case .success = try run(#"{"source": "file://\#(root)/journal/p.heic"}"#, environment: local) else {
            Issue.record("heic")
            return
        }
        #expect(try ImageProbe.info(try files.get(try MediaLocation("file://\(root)/journal/thumbnails/p.heic.jpg"), maxBytes: 1 << 20)).width == 200)
        let escape = try run(#"{"source": "file://\#(root)/../etc/passwd", "target": "file://\#(root)/x.jpg"}"#, environment: local)
        guard case .discard(let reason, _) = escape else {
            Issue.record("a path outside the media root was read: \(escape)")
            return
        }
        #expect(reason.contains("outside the media root"))
    }

    @Test(arguments: [
        #"{"sorce": "s3://b-1/a.jpg"}"#, #"{}"#, #"{"source": "s3://b-1/a.jpg", "prefix": "s3://b-1/"}"#,
        #"{"source": "s3://b-1/a.jpg", "crop": "middle"}"#, #"{"source": "s3://b-1/a.jpg", "size": 5}"#,
        #"{"source": "s3://b-1/a.jpg", "format": "gif"}"#, #"{"source": "s3://b-1/a.jpg", "quality": 0}"#,
        #"{"source": "https://cdn.example.com/a.jpg"}"#, #"{"source": "s3://b-1/a.jpg", "target": "https://cdn.example.com/t.jpg"}"#,
        #"{"prefix": "https://cdn.example.com/"}"#, #"{"source": "s3://b-1/a.jpg", "target": "s3://b-1/a.jpg"}"#,
        #"{"source": "photos/a.jpg"}"#, #"{"prefix": "s3://b-1/", "target": "s3://b-1/t/"}"#,
    ])
    func badArgsAreRefusedAtEnqueue(args: String) {
        #expect(throws: JobArgsError.self) { try JobKinds.registry(environment).validate(kind: "thumbnail", args: args) }
    }

    @Test func goodArgsPassAndGetAUniqueKey() throws {
        let registry = JobKinds.registry(environment)
        let one = #"{"source": "https://cdn.example.com/a.jpg", "target": "s3://b-1/t/a.jpg", "crop": "center"}"#
        let sweep = #"{"prefix": "s3://b-1/photos/", "size": 400, "format": "webp"}"#
        #expect(throws: Never.self) { try registry.validate(kind: "thumbnail", args: one) }
        #expect(throws: Never.self) { try registry.validate(kind: "thumbnail", args: sweep) }
        // One photo to one target is one job at a time; a sweep is one per prefix and size.
        #expect(registry.defaultUniqueKey(kind: "thumbnail", args: one) == "thumbnail:https://cdn.example.com/a.jpg -> s3://b-1/t/a.jpg")
        #expect(registry.defaultUniqueKey(kind: "thumbnail", args: sweep) == "thumbnail:sweep:s3://b-1/photos/:400x400")
        #expect(
            registry.defaultUniqueKey(kind: "thumbnail", args: #"{"source": "s3://b-1/a.jpg"}"#)
                != registry.defaultUniqueKey(kind: "thumbnail", args: #"{"source": "s3://b-1/b.jpg"}"#), "two photos, two keys")
    }
}
