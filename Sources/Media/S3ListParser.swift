import Foundation

/// Reads S3's answers: a ListObjectsV2 page, a field of another answer, an error's code and message.
enum S3ListParser {
    struct Page {
        var objects: [MediaObject]
        var nextToken: String?
    }

    /// - Throws: `.unavailable` when the body is not a listing (a proxy's error page, a cut-off body).
    static func parse(_ body: Data, bucket: String, for prefix: MediaLocation) throws(MediaError) -> Page {
        guard let document = S3XMLDocument.parse(body, items: "Contents") else {
            throw MediaError(.unavailable, "LIST \(prefix): the store's answer is not a ListObjectsV2 document")
        }
        let truncated = document.fields["IsTruncated"] == "true"
        let nextToken = document.fields["NextContinuationToken"]
        if truncated && nextToken == nil {
            throw MediaError(.unavailable, "LIST \(prefix): the page is truncated but names no continuation token")
        }
        let objects = document.items.compactMap { item -> MediaObject? in
            guard let key = item["Key"] else { return nil }
            return MediaObject(
                location: .s3(bucket: bucket, key: key), size: Int64(item["Size"] ?? "") ?? 0,
                lastModified: item["LastModified"].flatMap(HTTPDate.parseISO8601), etag: item["ETag"])
        }
        return Page(objects: objects, nextToken: truncated ? nextToken : nil)
    }

    /// `NoSuchBucket: The specified bucket does not exist`, from an S3 error body.
    static func errorSummary(_ body: Data) -> String? {
        guard !body.isEmpty, let fields = S3XMLDocument.parse(body)?.fields, let code = fields["Code"] else { return nil }
        return [code, fields["Message"]].compactMap { $0 }.joined(separator: ": ")
    }

    /// The text of a top-level element of an S3 answer (`UploadId`); nil when the body is not
    /// XML or lacks it.
    static func field(_ name: String, in body: Data) -> String? {
        S3XMLDocument.parse(body)?.fields[name]
    }
}
