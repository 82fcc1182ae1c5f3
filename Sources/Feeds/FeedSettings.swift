public import Configuration

/// Where iCalendar feeds are published (`CALWORKER_FEEDS_TARGET`: `s3://bucket/feeds/` or a
/// `file://` folder under the media root) and the public address they are served under
/// (`CALWORKER_FEEDS_URL`: a CDN, the bucket's website), for the addresses `calworker feeds`
/// prints. Without a target there are no feeds.
public struct FeedSettings: ConfigurationSection {
    public var target: String?
    /// Nil: the target's own location.
    public var publicURL: String?

    public init(target: String? = nil, publicURL: String? = nil) {
        self.target = target
        self.publicURL = publicURL
    }

    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        target = try reader.optional("CALWORKER_FEEDS_TARGET")
        if let target, !(target.hasPrefix("s3://") || target.hasPrefix("file:///")) {
            throw ConfigurationError(name: "CALWORKER_FEEDS_TARGET", message: "must be s3://bucket/prefix/ or file:///absolute/folder/")
        }
        publicURL = try reader.webURL("CALWORKER_FEEDS_URL", example: "https://calendar.example.com/feeds/")
    }
}
