/// How to reach the stores, from `CALWORKER_S3_*` and `CALWORKER_MEDIA_*`.
public struct MediaSettings: Sendable {
    /// The S3-compatible endpoint, path-style (`https://s3.eu-central-1.amazonaws.com`,
    /// `http://127.0.0.1:9000` for MinIO or moto). Default: AWS in `s3Region`.
    public var s3Endpoint: String?
    /// The region signatures are made for. Default `us-east-1`.
    public var s3Region = "us-east-1"
    public var s3AccessKeyID = ""
    public var s3SecretAccessKey = ""
    /// The folder `file://` locations must lie under; nil refuses every `file://` location.
    public var mediaRoot: String?
    /// Keys per ListObjectsV2 page; nil lets the store choose (S3: 1,000). Tests set it small
    /// to exercise continuation tokens.
    public var s3ListPageSize: Int?
    /// Files larger than this are uploaded to S3 in parts of this size (more when the file
    /// would need over 10,000 parts): a single PUT stops at 5 GB, and a dropped connection
    /// then costs one part, not the whole upload. S3's minimum part size is 5 MiB.
    public var s3PartSize: Int64 = 64 << 20
    /// The largest object a job downloads (a photo). Default 50 MiB.
    public var maxDownloadBytes = 50 << 20

    public init(
        s3Endpoint: String? = nil, s3Region: String = "us-east-1", s3AccessKeyID: String = "", s3SecretAccessKey: String = "",
        mediaRoot: String? = nil
    ) {
        self.s3Endpoint = s3Endpoint
        self.s3Region = s3Region
        self.s3AccessKeyID = s3AccessKeyID
        self.s3SecretAccessKey = s3SecretAccessKey
        self.mediaRoot = mediaRoot
    }

    /// The endpoint requests go to, without a trailing slash.
    var resolvedS3Endpoint: String {
        var endpoint = s3Endpoint ?? "https://s3.\(s3Region).amazonaws.com"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        return endpoint
    }
}
