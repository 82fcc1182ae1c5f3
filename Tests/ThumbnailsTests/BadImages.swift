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
}
