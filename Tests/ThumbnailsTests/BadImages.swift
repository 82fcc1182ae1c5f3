import Foundation
import Testing
import Thumbnails

/// Inputs a thumbnail job must refuse.
enum BadImages {
    enum Case: String, CaseIterable, CustomTestStringConvertible {
        case empty, html, truncatedJPEG, damagedJPEG, tiff, svg, pdf

        var testDescription: String { rawValue }

        var expected: Set<ThumbnailError.Kind> {
            switch self {
            case .empty, .html: [.notAnImage]
            case .truncatedJPEG, .damagedJPEG: [.corrupt]
            case .tiff: [.unsupportedFormat]
            // libvips' untrusted loaders are blocked: it does not even recognise these.
            case .svg, .pdf: [.notAnImage, .unsupportedFormat]
            }
        }

        func data() throws -> Data {
            switch self {
            case .empty: return Data()
            case .html: return Data("<!doctype html><html><body>Not found</body></html>".utf8)
            case .truncatedJPEG:
                let photo = try SyntheticImage.encode(width: 800, height: 600, pattern: .photo(seed: 9), suffix: ".jpg[Q=90]")
                return photo.prefix(photo.count / 2)
            case .damagedJPEG:
                var photo = try SyntheticImage.encode(width: 800, height: 600, pattern: .photo(seed: 9), suffix: ".jpg[Q=90]")
                // Overwrite the middle of the entropy-coded data with marker bytes.
                let middle = photo.count / 2
                photo.replaceSubrange(middle..<(middle + 64), with: [UInt8](repeating: 0xff, count: 32) + [UInt8](repeating: 0xd9, count: 32))
                return photo.prefix(middle + 64)
            case .tiff: return try SyntheticImage.encode(width: 64, height: 64, pattern: .quadrants, suffix: ".tif")
            case .svg: return Data(#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#.utf8)
            case .pdf: return Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
            }
        }
    }

    /// A PNG signature, an IHDR chunk claiming `width` x `height`, a token IDAT and IEND:
    /// almost no pixel data.
    static func pngHeader(width: UInt32, height: UInt32) -> Data {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
        }
        let ihdr = bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0]   // 8-bit RGB
        return Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] + chunk("IHDR", ihdr) + chunk("IDAT", [0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1])
                    + chunk("IEND", []))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xedb8_8320 : 0) }
        }
        return ~crc
    }
}
