import Foundation
import Testing
import Thumbnails

@Suite struct ThumbnailerTests {
    let thumbnailer = Thumbnailer()

    /// Red, green, blue, white: which quadrant colour a corner of the thumbnail shows.
    static func colour(_ data: Data, x: Int, y: Int) throws -> String {
        let pixel = try ImageProbe.pixel(data, x: x, y: y)
        let names = ["red": [255.0, 0, 0], "green": [0, 255, 0], "blue": [0, 0, 255], "white": [255, 255, 255]]
        return names.min { a, b in distance(a.value, pixel) < distance(b.value, pixel) }!.key
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }

    @Test(arguments: [".jpg[Q=90]", ".png", ".webp[Q=90]", ".heic"])
    func everyAcceptedFormatBecomesA200x200SRGBJPEGWithoutMetadata(suffix: String) throws {
        let input = try SyntheticImage.encode(width: 300, height: 200, pattern: .quadrants, suffix: suffix, orientation: 1)
        let thumbnail = try thumbnailer.make(from: input)
        let info = try ImageProbe.info(thumbnail.data)
        #expect(info.format == "jpeg" && info.width == 200 && info.height == 200)
        #expect(info.interpretation == "srgb" && info.bands == 3)
        #expect(!info.hasEXIF && !info.hasICCProfile && !info.hasXMP, "metadata stripped")
        #expect(thumbnail.inputWidth == 300 && thumbnail.inputHeight == 200)
        #expect(try Self.colour(thumbnail.data, x: 10, y: 10) == "red" && Self.colour(thumbnail.data, x: 189, y: 189) == "white")
    }

    /// 300x200 with EXIF orientation: 6 means "rotate 90° clockwise to view", 8 counter-clockwise.
    @Test(arguments: [
        (1, ["red", "green", "blue", "white"]), (6, ["blue", "red", "white", "green"]),
        (8, ["green", "white", "red", "blue"]),
    ])
    func exifOrientationComesOutUpright(orientation: Int, corners: [String]) throws {
        let input = try SyntheticImage.encode(width: 300, height: 200, pattern: .quadrants, suffix: ".jpg[Q=95]", orientation: orientation)
        #expect(try ImageProbe.info(input).hasEXIF, "the fixture carries its orientation")
        let thumbnail = try thumbnailer.make(from: input)
        let seen = try [(10, 10), (189, 10), (10, 189), (189, 189)].map { try Self.colour(thumbnail.data, x: $0.0, y: $0.1) }
        #expect(seen == corners)
    }

    @Test func cropModesFillOrFit() throws {
        let input = try SyntheticImage.encode(width: 300, height: 200, pattern: .photo(seed: 3), suffix: ".jpg")
        let fitted = try thumbnailer.make(from: input, options: ThumbnailOptions(crop: .none))
        #expect((fitted.width, fitted.height) == (200, 133), "fit inside, aspect kept")
        for crop in [ThumbnailOptions.Crop.centre, .attention, .entropy] {
            let filled = try thumbnailer.make(from: input, options: ThumbnailOptions(crop: crop))
            #expect((filled.width, filled.height) == (200, 200), "\(crop)")
        }
    }

    @Test func sizeAndWebPOutput() throws {
        let input = try SyntheticImage.encode(width: 640, height: 480, pattern: .photo(seed: 4), suffix: ".png")
        let thumbnail = try thumbnailer.make(from: input, options: ThumbnailOptions(width: 64, height: 48, format: .webp, quality: 70))
        let info = try ImageProbe.info(thumbnail.data)
        #expect(info.format == "webp" && info.width == 64 && info.height == 48)
        #expect(thumbnail.inputFormat == "png")
    }

    @Test func transparencyIsFlattenedOntoWhiteForJPEG() throws {
        let input = try SyntheticImage.encode(width: 300, height: 200, pattern: .quadrants, suffix: ".png", alpha: true)
        let thumbnail = try thumbnailer.make(from: input)
        #expect(try ImageProbe.info(thumbnail.data).bands == 3)
        #expect(try Self.colour(thumbnail.data, x: 189, y: 10) == "white", "the transparent green quadrant is white, not black")
        #expect(try Self.colour(thumbnail.data, x: 10, y: 10) == "red")
    }

    @Test func aPixelCountAboveTheLimitIsRefusedBeforeDecoding() throws {
        let input = try SyntheticImage.encode(width: 300, height: 200, pattern: .quadrants, suffix: ".png")
        #expect(throws: ThumbnailError.self) { try Thumbnailer(maxPixels: 50_000).make(from: input) }
        // A PNG that claims 100,000 x 100,000 pixels in 57 bytes: refused from its header.
        let bomb = SyntheticImage.pngHeader(width: 100_000, height: 100_000)
        do {
            _ = try thumbnailer.make(from: bomb)
            Issue.record("a decompression bomb was accepted")
        } catch {
            #expect(error.kind == .tooManyPixels, "\(error)")
        }
    }

    @Test(arguments: BadImages.Case.allCases)
    func badInputsFailWithAClearErrorOfTheRightKind(_ bad: BadImages.Case) throws {
        let data = try bad.data()
        do {
            _ = try thumbnailer.make(from: data)
            Issue.record("\(bad) was accepted")
        } catch {
            #expect(bad.expected.contains(error.kind), "\(bad): \(error.kind) \(error)")
            #expect(!error.message.isEmpty)
        }
    }
}
