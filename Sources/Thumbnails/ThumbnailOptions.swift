/// What a thumbnail should look like. Defaults: 200x200, centre crop, JPEG at quality 80.
public struct ThumbnailOptions: Sendable, Equatable {
    public enum Crop: String, Sendable, CaseIterable {
        /// Fit inside width x height, keeping the aspect ratio (one side may be shorter).
        case none
        /// Fill width x height exactly, cropping the middle.
        case centre
        /// Fill, keeping the most interesting region (libvips' attention heuristic).
        case attention
        /// Fill, keeping the region with the most entropy.
        case entropy

        /// libvips' `VipsInteresting` value.
        var vipsValue: Int32 {
            switch self {
            case .none: 0
            case .centre: 1
            case .entropy: 2
            case .attention: 3
            }
        }
    }

    public enum Format: String, Sendable, CaseIterable {
        case jpeg
        case webp

        public var contentType: String { self == .jpeg ? "image/jpeg" : "image/webp" }
        public var fileExtension: String { self == .jpeg ? "jpg" : "webp" }
    }

    public var width = 200
    public var height = 200
    public var crop = Crop.centre
    public var format = Format.jpeg
    /// Encoder quality, 1-100.
    public var quality = 80

    public init(width: Int = 200, height: Int = 200, crop: Crop = .centre, format: Format = .jpeg, quality: Int = 80) {
        self.width = width
        self.height = height
        self.crop = crop
        self.format = format
        self.quality = quality
    }
}
