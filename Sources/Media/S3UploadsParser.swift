import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads a `ListMultipartUploads` page: the uploads begun and never completed or aborted.
final class S3UploadsParser: NSObject, XMLParserDelegate {
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

    private var uploads: [Upload] = []
    private var current: [String: String] = [:]
    private var inUpload = false
    private var text = ""
    private var fields: [String: String] = [:]

    /// - Throws: `.unavailable` when the body is not such a page.
    static func parse(_ body: Data, for prefix: MediaLocation) throws(MediaError) -> Page {
        let delegate = S3UploadsParser()
        let parser = XMLParser(data: body)
        parser.delegate = delegate
        guard parser.parse(), delegate.fields["Bucket"] != nil || !delegate.uploads.isEmpty else {
            throw MediaError(.unavailable, "listing the unfinished uploads under \(prefix): the store's answer is not a ListMultipartUploads document")
        }
        guard delegate.fields["IsTruncated"] == "true" else { return Page(uploads: delegate.uploads, next: nil) }
        guard let key = delegate.fields["NextKeyMarker"], let id = delegate.fields["NextUploadIdMarker"], !key.isEmpty else {
            throw MediaError(.unavailable, "listing the unfinished uploads under \(prefix): the page is truncated but says not where the next starts")
        }
        return Page(uploads: delegate.uploads, next: (key, id))
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "Upload" {
            inUpload = true
            current = [:]
        }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if inUpload {
            if name == "Upload" {
                inUpload = false
                if let key = current["Key"], let id = current["UploadId"] {
                    uploads.append(Upload(key: key, uploadID: id, initiated: current["Initiated"].flatMap(HTTPDate.parseISO8601)))
                }
            } else if current[name] == nil {
                // `Initiator` and `Owner` have an `ID` of their own; the upload's fields come first.
                current[name] = text
            }
            return
        }
        fields[name] = text
    }
}
