import CVips
public import Foundation

/// A finished thumbnail and what making it cost.
public struct Thumbnail: Sendable {
    public var data: Data
    public var width: Int
    public var height: Int
    /// `jpeg`, `png`, `webp` or `heif`.
    public var inputFormat: String
    public var inputWidth: Int
    public var inputHeight: Int
    /// Decoding (with shrink-on-load), rotation, resizing and cropping.
    public var decodeTime: Duration
    /// Colour conversion and encoding.
    public var encodeTime: Duration
}

/// Makes thumbnails from untrusted bytes with libvips: only JPEG, PNG, WebP and HEIC/HEIF
/// are accepted (libvips' untrusted loaders are blocked for the process), the pixel count is
/// checked from the header before anything is decoded, truncated or damaged input fails
/// instead of producing a grey half-image, and the output is sRGB with all metadata stripped.
public struct Thumbnailer: Sendable {
    /// Pixels (width x height) above which an image is refused unread: a 100-byte PNG can
    /// claim 100,000 x 100,000. Default 200 million, above any phone camera.
    public var maxPixels: Int

    public init(maxPixels: Int = 200_000_000) { self.maxPixels = maxPixels }

    static let acceptedLoaders = ["jpeg": "jpeg", "png": "png", "webp": "webp", "heif": "heif"]

    public func make(from data: Data, options: ThumbnailOptions = ThumbnailOptions()) throws(ThumbnailError) -> Thumbnail {
        try Vips.start()
        // libvips reads from the caller's bytes lazily, so the whole pipeline runs in here.
        let outcome = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Result<Thumbnail, ThumbnailError> in
            Result { () throws(ThumbnailError) in try self.make(bytes, options: options) }
        }
        return try outcome.get()
    }

    private func make(_ bytes: UnsafeRawBufferPointer, options: ThumbnailOptions) throws(ThumbnailError) -> Thumbnail {
        // Warnings of earlier images (libvips collects them in the same buffer) are not ours.
        vips_error_clear()
        let format = try Self.format(of: bytes)
        let header = try VipsImageRef.make("reading the \(format) header") { out in
            guard let image = cw_vips_image_new_from_buffer(bytes.baseAddress, bytes.count, 1) else { return -1 }
            out.pointee = image
            return 0
        }
        let pixels = header.width * header.height
        guard pixels <= maxPixels else {
            throw ThumbnailError(.tooManyPixels, "\(header.width)x\(header.height) is \(pixels) pixels, more than the \(maxPixels) allowed")
        }
        let decodeStart = ContinuousClock.now
        let thumbnail = try VipsImageRef.make("making the thumbnail") { out in
            // Strict: a truncated or damaged file fails instead of decoding to grey.
            cw_vips_thumbnail_buffer(
                UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count, out,
                Int32(options.width), Int32(options.height), options.crop.vipsValue, 0, 1)
        }.copiedToMemory()
        let encodeStart = ContinuousClock.now
        var image = thumbnail
        if image.interpretation != "srgb" {
            image = try VipsImageRef.make("converting to sRGB") { cw_vips_colourspace_srgb(image.pointer, $0) }
        }
        if options.format == .jpeg && image.hasAlpha {
            image = try VipsImageRef.make("flattening transparency") { cw_vips_flatten_white(image.pointer, $0) }
        }
        let quality = Int32(min(100, max(1, options.quality)))
        let output = try image.saved("encoding \(options.format.rawValue)") { buffer, length in
            options.format == .jpeg
                ? cw_vips_jpegsave_buffer(image.pointer, buffer, length, quality)
                : cw_vips_webpsave_buffer(image.pointer, buffer, length, quality)
        }
        let end = ContinuousClock.now
        return Thumbnail(
            data: output, width: image.width, height: image.height, inputFormat: format, inputWidth: header.width,
            inputHeight: header.height, decodeTime: encodeStart - decodeStart, encodeTime: end - encodeStart)
    }

    /// The accepted format the bytes are in, from libvips' own sniffing of the first bytes.
    static func format(of bytes: UnsafeRawBufferPointer) throws(ThumbnailError) -> String {
        guard !bytes.isEmpty, let loader = vips_foreign_find_load_buffer(bytes.baseAddress, bytes.count) else {
            vips_error_clear()
            let start = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw ThumbnailError(
                .notAnImage, "not an image libvips can read (\(bytes.count) bytes, starting \(start.isEmpty ? "with nothing" : start))")
        }
        let name = String(cString: loader).lowercased()
        guard let format = acceptedLoaders.first(where: { name.contains($0.key) })?.value else {
            throw ThumbnailError(.unsupportedFormat, "a \(name) image; only JPEG, PNG, WebP and HEIC/HEIF photos are accepted")
        }
        return format
    }
}
