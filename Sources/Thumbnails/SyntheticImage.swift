import CVips
public import Foundation

/// Images made from nothing, for tests and the benchmark: calworker ships no photo files,
/// and a generated one can be any size, format and EXIF orientation.
public enum SyntheticImage {
    public enum Pattern: Sendable {
        /// Four flat quadrants: red top left, green top right, blue bottom left, white bottom
        /// right. Which colour ends up in which corner shows rotation and cropping.
        case quadrants
        /// Gradients with noise: compresses and decodes like a real photo, not like a flat colour.
        case photo(seed: UInt64)
    }

    /// Encodes a `width` x `height` image in the format libvips picks for `suffix` (`.jpg[Q=90]`,
    /// `.png`, `.webp`, `.heic`), with an EXIF orientation tag when `orientation` is given, and
    /// a transparent right half when `alpha` is set.
    public static func encode(
        width: Int, height: Int, pattern: Pattern, suffix: String, orientation: Int? = nil,
        alpha: Bool = false
    ) throws(ThumbnailError) -> Data {
        try Vips.start()
        let bands = alpha ? 4 : 3
        let pixels = render(width: width, height: height, bands: bands, pattern: pattern)
        let image = try VipsImageRef.make("building the image", kind: .failed) { out in
            let made = pixels.withUnsafeBytes { cw_vips_image_from_pixels($0.baseAddress, $0.count, Int32(width), Int32(height), Int32(bands)) }
            guard let made else { return -1 }
            out.pointee = made
            return 0
        }
        if let orientation {
            let exif = exifBlob(orientation: orientation)
            exif.withUnsafeBytes { vips_image_set_blob_copy(image.pointer, "exif-data", $0.baseAddress, $0.count) }
            vips_image_set_int(image.pointer, "orientation", Int32(orientation))
        }
        return try image.saved("saving as \(suffix)") { buffer, length in cw_vips_image_write_to_buffer(image.pointer, suffix, buffer, length) }
    }

    static func render(width: Int, height: Int, bands: Int, pattern: Pattern) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * bands)
        switch pattern {
        case .quadrants:
            let colours: [[UInt8]] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]]
            for y in 0..<height {
                for x in 0..<width {
                    let colour = colours[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]
                    let base = (y * width + x) * bands
                    pixels[base] = colour[0]
                    pixels[base + 1] = colour[1]
                    pixels[base + 2] = colour[2]
                    if bands == 4 { pixels[base + 3] = x < width / 2 ? 255 : 0 }
                }
            }
        case .photo(let seed):
            var state = seed | 1
            pixels.withUnsafeMutableBufferPointer { buffer in
                for y in 0..<height {
                    let row = UInt8(truncatingIfNeeded: y * 255 / max(1, height - 1))
                    for x in 0..<width {
                        state ^= state << 13
                        state ^= state >> 7
                        state ^= state << 17
                        let noise = UInt8(truncatingIfNeeded: state & 0x1f)
                        let base = (y * width + x) * bands
                        buffer[base] = UInt8(truncatingIfNeeded: x * 255 / max(1, width - 1)) &+ noise
                        buffer[base + 1] = row &+ noise >> 1
                        buffer[base + 2] = UInt8(truncatingIfNeeded: (x ^ y) >> 3) &+ noise
                        if bands == 4 { buffer[base + 3] = 255 }
                    }
                }
            }
        }
        return pixels
    }

    /// A minimal EXIF block (APP1 payload, as libvips keeps it) with one tag: Orientation.
    static func exifBlob(orientation: Int) -> [UInt8] {
        var bytes = Array("Exif".utf8) + [0, 0]
        bytes += Array("II".utf8) + [42, 0] + [8, 0, 0, 0]  // little-endian TIFF, IFD0 at offset 8
        bytes += [1, 0]  // one entry
        bytes += [0x12, 0x01, 3, 0, 1, 0, 0, 0]  // tag 0x0112 Orientation, SHORT, count 1
        bytes += [UInt8(orientation), 0, 0, 0]  // the value, padded to four bytes
        bytes += [0, 0, 0, 0]  // no next IFD
        return bytes
    }

    /// A decompression bomb's opening: a PNG whose header claims `width` x `height` pixels,
    /// with a token IDAT and IEND, a few dozen bytes in all.
    public static func pngHeader(width: UInt32, height: UInt32) -> Data {
        func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
        }
        let header = bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0]  // 8-bit RGB
        return Data(
            [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] + chunk("IHDR", header)
                + chunk("IDAT", [0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1]) + chunk("IEND", []))
    }

    /// PNG's chunk checksum (CRC-32, polynomial 0xEDB88320).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xedb8_8320 : 0) }
        }
        return ~crc
    }
}
