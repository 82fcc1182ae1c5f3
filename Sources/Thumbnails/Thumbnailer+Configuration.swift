public import Configuration

extension Thumbnailer: ConfigurationSection {
    /// `CALWORKER_THUMBNAIL_MAX_PIXELS`: the most pixels a photo may claim before it is refused
    /// unread (a decompression bomb claims billions). Default 200 million.
    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        self.init(maxPixels: try reader.integer("CALWORKER_THUMBNAIL_MAX_PIXELS", default: 200_000_000, in: 1_000...10_000_000_000))
    }
}
