import Foundation
import HTTPClient

/// Photos served by a plain web server or CDN: read-only (GET and HEAD), redirects followed
/// (to http or https only, at most five).
struct HTTPStore: MediaStore {
    let http: HTTPClient
    let shouldAbort: @Sendable () -> Bool
    let retry = HTTPRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(300), maxDelay: .seconds(10))

    func get(_ location: MediaLocation, maxBytes: Int) throws(MediaError) -> Data {
        let response = try send("GET", location, maxBytes: maxBytes)
        try check(response, location)
        return response.body
    }

    func head(_ location: MediaLocation) throws(MediaError) -> MediaObject? {
        let response = try send("HEAD", location, maxBytes: 0)
        if response.status == 404 || response.status == 410 { return nil }
        try check(response, location)
        return MediaObject(
            location: location, size: Int64(response.header("Content-Length") ?? "") ?? -1,
            lastModified: response.header("Last-Modified").flatMap(HTTPDate.parse), etag: response.header("ETag"))
    }

    func put(_ location: MediaLocation, data: Data, contentType: String) throws(MediaError) { throw readOnly(location) }
    func delete(_ location: MediaLocation) throws(MediaError) { throw readOnly(location) }
    func upload(_ location: MediaLocation, file path: String, sha256: String, contentType: String) throws(MediaError) {
        throw readOnly(location)
    }

    func download(_ location: MediaLocation, to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        guard case .http(let url) = location else { throw MediaError(.invalid, "\(location) is not an http(s) location") }
        var request = HTTPRequest(method: "GET", url: url)
        request.maxResponseBytes = Int.max
        request.maxRedirects = 5
        request.timeout = .seconds(6 * 3600)
        let (response, received) = try http.download(request, location: location, shouldAbort: shouldAbort, to: sink)
        try check(response, location)
        return received
    }
    func list(prefix: MediaLocation) throws(MediaError) -> [MediaObject] {
        throw MediaError(.invalid, "\(prefix): an HTTP server cannot be listed; use an s3:// or file:// prefix")
    }

    private func readOnly(_ location: MediaLocation) -> MediaError {
        MediaError(.invalid, "\(location): http(s) locations are read-only; write to an s3:// or file:// target")
    }

    private func send(_ method: String, _ location: MediaLocation, maxBytes: Int) throws(MediaError) -> HTTPResponse {
        guard case .http(let url) = location else { throw MediaError(.invalid, "\(location) is not an http(s) location") }
        var request = HTTPRequest(method: method, url: url)
        request.maxResponseBytes = maxBytes
        request.maxRedirects = 5
        request.timeout = .seconds(120)
        do {
            return try http.send(request, retry: retry, shouldAbort: shouldAbort)
        } catch {
            throw MediaError(error: error, location: location)
        }
    }

    private func check(_ response: HTTPResponse, _ location: MediaLocation) throws(MediaError) {
        switch response.status {
        case 200..<300: return
        case 404, 410: throw MediaError(.notFound, "\(location): HTTP \(response.status)")
        case 401, 403: throw MediaError(.denied, "\(location): HTTP \(response.status); the server refuses to serve it")
        case 429, 500...599: throw MediaError(.unavailable, "\(location): HTTP \(response.status); will retry")
        default: throw MediaError(.invalid, "\(location): HTTP \(response.status)")
        }
    }
}
