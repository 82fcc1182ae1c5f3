import JobArgs
import JobQueue
import Media
import Thumbnails
import Worker

extension ThumbnailJob {
    /// Checked, parsed arguments: what one job does.
    public struct Plan: Sendable {
        enum Work: Sendable {
            case one(source: MediaLocation, target: MediaLocation)
            case sweep(prefix: MediaLocation)
        }

        var work: Work
        var options: ThumbnailOptions
        var force: Bool

        init(_ args: Args) throws(JobArgsError) {
            options = ThumbnailOptions()
            (options.width, options.height) = args.pixels
            if let crop = args.crop {
                guard let value = ThumbnailOptions.Crop(rawValue: crop == "center" ? "centre" : crop) else {
                    throw JobArgsError("crop '\(crop)' is not one of \(ThumbnailOptions.Crop.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                options.crop = value
            }
            if let format = args.format {
                guard let value = ThumbnailOptions.Format(rawValue: format == "jpg" ? "jpeg" : format) else {
                    throw JobArgsError("format '\(format)' is not jpeg or webp")
                }
                options.format = value
            }
            if let quality = args.quality { options.quality = quality }
            force = args.force ?? false
            switch (args.source, args.prefix) {
            case (let source?, nil):
                let location = try Self.location(source, "source")
                let target: MediaLocation
                if let text = args.target {
                    target = try Self.location(text, "target")
                    if case .http = target { throw JobArgsError("target \(target): http(s) is read-only; use s3:// or file://") }
                    guard target != location else { throw JobArgsError("target is the source itself: that would overwrite the photo") }
                } else {
                    guard let sibling = ThumbnailJob.defaultTarget(for: location, options: options) else {
                        throw JobArgsError("source \(location) has no thumbnails/ folder beside it to write to (http is read-only): give a target")
                    }
                    target = sibling
                }
                work = .one(source: location, target: target)
            case (nil, let prefix?):
                let location = try Self.location(prefix, "prefix")
                if case .http = location { throw JobArgsError("prefix \(location): an HTTP server cannot be listed; use s3:// or file://") }
                work = .sweep(prefix: location)
            default:
                // `ThumbnailArgs.validate` refused it already.
                throw JobArgsError("give either source (one photo) or prefix (every photo under it), not both or neither")
            }
        }

        static func location(_ text: String, _ name: String) throws(JobArgsError) -> MediaLocation {
            do {
                return try MediaLocation(text)
            } catch {
                throw JobArgsError("\(name): \(error.message)")
            }
        }
    }

    /// The photo formats a sweep picks up, by file extension.
    static let photoExtensions: Set<String> = ["jpg", "jpeg", "png", "webp", "heic", "heif"]

    /// `photos/a.jpg` → `photos/thumbnails/a.jpg`; another format keeps the photo's name and adds
    /// its own extension (`a.png` → `thumbnails/a.png.jpg`), so `a.png` and `a.jpg` never share
    /// a thumbnail; sizes other than 200x200 get a folder of their own (`thumbnails/400x300/`).
    static func defaultTarget(for source: MediaLocation, options: ThumbnailOptions) -> MediaLocation? {
        let name = source.name
        guard !name.isEmpty else { return nil }
        let fileExtension = name.split(separator: ".").count > 1 ? String(name.split(separator: ".").last!).lowercased() : ""
        let output = options.format.fileExtension
        let sameFormat = fileExtension == output || (output == "jpg" && fileExtension == "jpeg")
        let folder = options.width == 200 && options.height == 200 ? "thumbnails/" : "thumbnails/\(options.width)x\(options.height)/"
        return source.sibling(folder + (sameFormat ? name : name + "." + output))
    }

    /// Whether a listed object is a photo to thumbnail: a photo extension, and not itself in a
    /// `thumbnails/` folder.
    static func isPhoto(_ location: MediaLocation) -> Bool {
        let text = location.description
        guard !text.contains("/thumbnails/") else { return false }
        let parts = location.name.split(separator: ".")
        return parts.count > 1 && photoExtensions.contains(parts.last!.lowercased())
    }
}
