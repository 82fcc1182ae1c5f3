import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads S3's XML: a ListObjectsV2 page, or the code and message of an error response.
final class S3ListParser: NSObject, XMLParserDelegate {
    struct Page {
        var objects: [MediaObject]
        var nextToken: String?
    }

    private let bucket: String
    private var objects: [MediaObject] = []
    private var current: [String: String] = [:]
    private var inContents = false
    private var text = ""
    private var truncated = false
    private var nextToken: String?
    private var fields: [String: String] = [:]

    private init(bucket: String) { self.bucket = bucket }

    /// - Throws: `.unavailable` when the body is not a listing (a proxy's error page, a cut-off body).
    static func parse(_ body: Data, bucket: String, for prefix: MediaLocation) throws(MediaError) -> Page {
        let delegate = S3ListParser(bucket: bucket)
        let parser = XMLParser(data: body)
        parser.delegate = delegate
        guard parser.parse() else {
            throw MediaError(.unavailable, "LIST \(prefix): the store's answer is not a ListObjectsV2 document")
        }
        if delegate.truncated && delegate.nextToken == nil {
            throw MediaError(.unavailable, "LIST \(prefix): the page is truncated but names no continuation token")
        }
        return Page(objects: delegate.objects, nextToken: delegate.truncated ? delegate.nextToken : nil)
    }

    /// `NoSuchBucket: The specified bucket does not exist`, from an S3 error body.
    static func errorSummary(_ body: Data) -> String? {
        guard !body.isEmpty else { return nil }
        let delegate = S3ListParser(bucket: "")
        let parser = XMLParser(data: body)
        parser.delegate = delegate
        guard parser.parse(), let code = delegate.fields["Code"] else { return nil }
        return [code, delegate.fields["Message"]].compactMap { $0 }.joined(separator: ": ")
    }

    /// The text of a top-level element of an S3 answer (`UploadId`, `ETag`); nil when the body
    /// is not XML or lacks it.
    static func field(_ name: String, in body: Data) -> String? {
        let delegate = S3ListParser(bucket: "")
        let parser = XMLParser(data: body)
        parser.delegate = delegate
        guard parser.parse() else { return nil }
        return delegate.fields[name]
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "Contents" {
            inContents = true
            current = [:]
        }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if inContents {
            if name == "Contents" {
                inContents = false
                if let key = current["Key"] {
                    objects.append(MediaObject(location: .s3(bucket: bucket, key: key), size: Int64(current["Size"] ?? "") ?? 0,
                                               lastModified: current["LastModified"].flatMap(HTTPDate.parseISO8601), etag: current["ETag"]))
                }
            } else {
                current[name] = text
            }
            return
        }
        switch name {
        case "IsTruncated": truncated = text == "true"
        case "NextContinuationToken": nextToken = text
        default: fields[name] = text
        }
    }
}
