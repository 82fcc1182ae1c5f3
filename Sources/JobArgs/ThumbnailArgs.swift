public import JobQueue

/// `thumbnail`: `{"source": URL, "target": URL?, "size": 200, "height": 200?, "crop":
/// "centre", "format": "jpeg", "quality": 80, "force": false}` makes one thumbnail;
/// `{"prefix": URL, ...}` enqueues one job for every photo under the prefix that lacks an
/// up-to-date thumbnail. The handler parses the locations and keys a job by them, as written
/// in any form (`ThumbnailJob.Plan`).
public struct ThumbnailArgs: JobParameters {
    public static let kind = "thumbnail"

    public var source: String?
    public var prefix: String?
    public var target: String?
    public var size: Int?
    public var height: Int?
    public var crop: String?
    public var format: String?
    public var quality: Int?
    public var force: Bool?

    /// One photo's thumbnail (or, with `prefix`, a sweep); nil fields take their defaults.
    public init(
        source: String? = nil, prefix: String? = nil, target: String? = nil, size: Int? = nil, height: Int? = nil,
        crop: String? = nil, format: String? = nil, quality: Int? = nil, force: Bool? = nil
    ) {
        self.source = source
        self.prefix = prefix
        self.target = target
        self.size = size
        self.height = height
        self.crop = crop
        self.format = format
        self.quality = quality
        self.force = force
    }

    /// The thumbnail's width and height: 200 square unless given.
    public var pixels: (width: Int, height: Int) { (size ?? 200, height ?? size ?? 200) }

    public func validate() throws(JobArgsError) {
        let (width, height) = pixels
        guard (16...4096).contains(width), (16...4096).contains(height) else {
            throw JobArgsError("size and height are pixels from 16 to 4096, got \(width)x\(height)")
        }
        if let quality, !(1...100).contains(quality) { throw JobArgsError("quality is from 1 to 100, got \(quality)") }
        switch (source, prefix) {
        case (_?, nil): break
        case (nil, _?):
            guard target == nil else { throw JobArgsError("a prefix sweep writes each thumbnail beside its photo: drop target") }
        default: throw JobArgsError("give either source (one photo) or prefix (every photo under it), not both or neither")
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case source, prefix, target, size, height, crop, format, quality, force
    }

    public init(from decoder: any Decoder) throws {
        let names = CodingKeys.allCases.map(\.rawValue)
        try ArgumentNames.refuseUnknown(in: decoder, allowed: names, ArgumentNames.list("thumbnail", names))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        source = try container.decodeIfPresent(String.self, forKey: .source)
        prefix = try container.decodeIfPresent(String.self, forKey: .prefix)
        target = try container.decodeIfPresent(String.self, forKey: .target)
        size = try container.decodeIfPresent(Int.self, forKey: .size)
        height = try container.decodeIfPresent(Int.self, forKey: .height)
        crop = try container.decodeIfPresent(String.self, forKey: .crop)
        format = try container.decodeIfPresent(String.self, forKey: .format)
        quality = try container.decodeIfPresent(Int.self, forKey: .quality)
        force = try container.decodeIfPresent(Bool.self, forKey: .force)
    }
}
