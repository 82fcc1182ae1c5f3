import CVips
public import Foundation

/// What an encoded image says about itself, read by libvips: for checking thumbnails (tests,
/// `calworker` output) without another image library.
public struct ImageInfo: Sendable, Equatable {
    public var format: String
    public var width: Int
    public var height: Int
    public var bands: Int
    /// libvips' name for the colour space: `srgb`, `b-w`, `cmyk`, `rgb16`, ...
    public var interpretation: String
    public var hasEXIF: Bool
    public var hasICCProfile: Bool
    public var hasXMP: Bool
}

public enum ImageProbe {
    public static func info(_ data: Data) throws(ThumbnailError) -> ImageInfo {
        try withImage(data) { image, format in
            ImageInfo(
                format: format, width: image.width, height: image.height, bands: image.bands, interpretation: image.interpretation,
                hasEXIF: image.has("exif-data"), hasICCProfile: image.has("icc-profile-data"), hasXMP: image.has("xmp-data"))
        }
    }

    /// The band values of one pixel (0-255 for 8-bit images).
    public static func pixel(_ data: Data, x: Int, y: Int) throws(ThumbnailError) -> [Double] {
        try withImage(data) { image, _ throws(ThumbnailError) in try image.pixel(x: x, y: y) }
    }

    private static func withImage<T>(_ data: Data, _ body: (VipsImageRef, String) throws(ThumbnailError) -> T) throws(ThumbnailError) -> T {
        try Vips.start()
        let outcome = data.withUnsafeBytes { bytes -> Result<T, ThumbnailError> in
            Result { () throws(ThumbnailError) in
                let format = try Thumbnailer.format(of: bytes)
                let image = try VipsImageRef.make("reading the image") { out in
                    guard let image = cw_vips_image_new_from_buffer(bytes.baseAddress, bytes.count, 0) else { return -1 }
                    out.pointee = image
                    return 0
                }
                return try body(image, format)
            }
        }
        return try outcome.get()
    }
}
