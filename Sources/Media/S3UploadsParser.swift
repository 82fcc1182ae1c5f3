import Foundation

/// Reads a `ListMultipartUploads` page: the uploads begun and never completed or aborted.
enum S3UploadsParser {
    struct Upload: Equatable {
        var key: String
        var uploadID: String
        var initiated: Date?
    }

    struct Page {
        var uploads: [Upload]
        /// Where the next page starts (`key-marker`, `upload-id-marker`); nil on the last page.
        var next: (keyMarker: String, uploadIDMarker: String)?
    }

    /// - Throws: `.unavailable` when the body is not such a page.
    static func parse(_ body: Data, for prefix: MediaLocation) throws(MediaError) -> Page {
        guard let document = S3XMLDocument.parse(body, items: "Upload"), document.fields["Bucket"] != nil || !document.items.isEmpty else {
            throw MediaError(
                .unavailable, "listing the unfinished uploads under \(prefix): the store's answer is not a ListMultipartUploads document")
        }
        let uploads = document.items.compactMap { item -> Upload? in
            guard let key = item["Key"], let id = item["UploadId"] else { return nil }
            return Upload(key: key, uploadID: id, initiated: item["Initiated"].flatMap(HTTPDate.parseISO8601))
        }
        guard document.fields["IsTruncated"] == "true" else { return Page(uploads: uploads, next: nil) }
        guard let key = document.fields["NextKeyMarker"], let id = document.fields["NextUploadIdMarker"], !key.isEmpty else {
            throw MediaError(.unavailable, "listing the unfinished uploads under \(prefix): the page is truncated but says not where the next starts")
        }
        return Page(uploads: uploads, next: (key, id))
    }
}
