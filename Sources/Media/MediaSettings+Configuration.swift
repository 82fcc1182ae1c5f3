public import Configuration

extension MediaSettings: ConfigurationSection {
    /// `CALWORKER_S3_*` and `CALWORKER_MEDIA_*`.
    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        self.init(
            s3Endpoint: try reader.optional("CALWORKER_S3_ENDPOINT"),
            s3Region: try reader.string("CALWORKER_S3_REGION", default: "us-east-1"),
            s3AccessKeyID: try reader.string("CALWORKER_S3_ACCESS_KEY_ID"),
            s3SecretAccessKey: try reader.secret("CALWORKER_S3_SECRET_ACCESS_KEY"),
            mediaRoot: try reader.optional("CALWORKER_MEDIA_ROOT"))
        if let mediaRoot, !mediaRoot.hasPrefix("/") {
            throw ConfigurationError(name: "CALWORKER_MEDIA_ROOT", message: "'\(mediaRoot)' is not an absolute path")
        }
        maxDownloadBytes = try reader.integer("CALWORKER_MEDIA_MAX_BYTES", default: maxDownloadBytes, in: 1024...(1 << 34))
    }
}
