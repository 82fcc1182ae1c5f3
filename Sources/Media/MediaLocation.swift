import Foundation
import HTTPClient

/// Where a photo, thumbnail or backup lives, parsed from the URL an operator or the platform
/// wrote: `s3://bucket/key`, `http(s)://host/path` (read-only) or `file:///path` (under the
/// media root). Parsing checks the shape only; whether the object exists is the store's
/// business.
public enum MediaLocation: Sendable, Hashable, CustomStringConvertible {
    case s3(bucket: String, key: String)
    case http(url: String)
    case file(path: String)

    /// - Throws: `MediaError.invalid` naming what is wrong with `text`.
    public init(_ text: String) throws(MediaError) {
        guard let colon = text.range(of: "://") else {
            throw MediaError(.invalid, "'\(text)' is not a media URL: use s3://bucket/key, https://host/path or file:///path")
        }
        let scheme = text[..<colon.lowerBound].lowercased()
        let rest = String(text[colon.upperBound...])
        switch scheme {
        case "s3":
            let bucket = String(rest.prefix { $0 != "/" })
            guard Self.isBucketName(bucket) else {
                throw MediaError(.invalid, "'\(text)': '\(bucket)' is not an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)")
            }
            let key = String(rest.dropFirst(bucket.count + 1))
            guard !key.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }), key.utf8.count <= 1024 else {
                throw MediaError(.invalid, "'\(text)': an S3 key has at most 1024 bytes and no control characters")
            }
            self = .s3(bucket: bucket, key: key)
        case "http", "https":
            guard let components = URLComponents(string: text), components.host?.isEmpty == false else {
                throw MediaError(.invalid, "'\(HTTPClient.redact(text))' is not a usable http(s) URL")
            }
            self = .http(url: text)
        case "file":
            guard rest.hasPrefix("/"), let path = rest.removingPercentEncoding, !path.contains("\0") else {
                throw MediaError(.invalid, "'\(text)': a file URL is absolute, file:///path")
            }
            self = .file(path: path)
        default:
            throw MediaError(.invalid, "'\(text)': scheme '\(scheme)' is not one of s3, http, https, file")
        }
    }

    /// The URL again; for http(s) without its query string, which may carry a credential.
    public var description: String {
        switch self {
        case .s3(let bucket, let key): "s3://\(bucket)/\(key)"
        case .http(let url): HTTPClient.redact(url)
        case .file(let path): "file://\(path)"
        }
    }

    /// The last path segment (`IMG_0001.jpg`), empty for a prefix ending in `/`.
    public var name: String {
        switch self {
        case .s3(_, let key): String(key.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        case .http(let url): String((URLComponents(string: url)?.path ?? "").split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        case .file(let path): String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        }
    }

    /// The location `relative` names beside this one: in the same folder (`photos/a.jpg` with
    /// `thumbnails/a.jpg` gives `photos/thumbnails/a.jpg`). Nil for http(s), which is read-only.
    public func sibling(_ relative: String) -> MediaLocation? {
        switch self {
        case .s3(let bucket, let key): .s3(bucket: bucket, key: Self.folder(of: key) + relative)
        case .http: nil
        case .file(let path): .file(path: Self.folder(of: path) + relative)
        }
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    static func isBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, let last = name.last,
            first.isLetter || first.isNumber, last.isLetter || last.isNumber
        else { return false }
        return name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
    }
}
