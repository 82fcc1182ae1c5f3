import Basics
import Crypto
import Foundation
import HTTPClient

/// Any S3-compatible store (AWS, MinIO, Ceph, R2, moto), path-style, every request signed by
/// libcurl's AWS Signature Version 4 with `x-amz-content-sha256` always sent: libcurl 7.88
/// does not add it, and S3 rejects signed requests without it.
struct S3Store: MediaStore {
    let settings: MediaSettings
    let http: HTTPClient
    let shouldAbort: @Sendable () -> Bool
    /// 503 SlowDown, 500 and dropped connections are retried a few times before the job is.
    let retry = HTTPRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(200), maxDelay: .seconds(10))

    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    func get(_ location: MediaLocation, maxBytes: Int) throws(MediaError) -> Data {
        let (bucket, key) = try Self.object(location)
        var request = try signed("GET", bucket: bucket, key: key)
        request.maxResponseBytes = maxBytes
        let response = try send(request, location)
        if response.status == 404 { throw MediaError(.notFound, "\(location): no such object") }
        try check(response, location, "GET")
        return response.body
    }

    func head(_ location: MediaLocation) throws(MediaError) -> MediaObject? {
        let (bucket, key) = try Self.object(location)
        let response = try send(try signed("HEAD", bucket: bucket, key: key), location)
        if response.status == 404 { return nil }
        try check(response, location, "HEAD")
        return MediaObject(
            location: location, size: Int64(response.header("Content-Length") ?? "") ?? 0,
            lastModified: response.header("Last-Modified").flatMap(HTTPDate.parse), etag: response.header("ETag"))
    }

    func put(_ location: MediaLocation, data: Data, contentType: String) throws(MediaError) {
        let (bucket, key) = try Self.object(location)
        var request = try signed(
            "PUT", bucket: bucket, key: key, payloadSHA256: Digest.hex(Digest.sha256([UInt8](data))),
            headers: [HTTPHeader("Content-Type", contentType)])
        request.body = data
        request.timeout = .seconds(120)
        try check(try send(request, location), location, "PUT")
    }

    /// One signed PUT for a file up to `s3PartSize`, a multipart upload above it.
    func upload(_ location: MediaLocation, file path: String, sha256: String, contentType: String) throws(MediaError) {
        let (bucket, key) = try Self.object(location)
        let size: Int64
        do {
            size = ((try FileManager.default.attributesOfItem(atPath: path))[.size] as? NSNumber)?.int64Value ?? 0
        } catch {
            throw MediaError(.invalid, "\(location): cannot read \(path) to upload it: \(error)")
        }
        if size > settings.s3PartSize {
            try multipartUpload(location, bucket: bucket, key: key, file: path, size: size, contentType: contentType)
            return
        }
        let request = try signed("PUT", bucket: bucket, key: key, payloadSHA256: sha256, headers: [HTTPHeader("Content-Type", contentType)])
        try check(try sendFile(request, path: path, offset: 0, length: size, location), location, "PUT")
    }

    /// Sends `length` bytes of a file from `offset` as the request's body, retrying what
    /// `send` retries (5xx, 429, dropped connections). Returns the last answer, whatever its status.
    func sendFile(_ template: HTTPRequest, path: String, offset: Int64, length: Int64, _ location: MediaLocation) throws(MediaError) -> HTTPResponse {
        var request = template
        // At least 1 MB/s: a 5 GB upload may take long, a stalled one may not.
        request.timeout = .seconds(max(120, length / 1_000_000))
        var attempt = 1
        while true {
            let outcome: Result<HTTPResponse, MediaError>
            do {
                let body = try FileBodySource(path: path, offset: offset, length: length)
                outcome = .success(try http.send(request, upload: body, streamingTo: nil, shouldAbort: shouldAbort))
            } catch let error as HTTPError {
                outcome = .failure(MediaError(error: error, location: location))
            } catch {
                outcome = .failure(MediaError(.invalid, "\(location): cannot read \(path) to upload it: \(error)"))
            }
            let retryable: Bool
            switch outcome {
            case .success(let response): retryable = response.status >= 500 || response.status == 429
            case .failure(let error): retryable = error.isRetryable
            }
            guard retryable && attempt < retry.maxAttempts else { return try outcome.get() }
            let response = try? outcome.get()
            switch AttemptWaits.decide(retry.delay(afterAttempt: attempt, retryAfter: response?.header("Retry-After"))) {
            case .noTime:
                return try outcome.get()
            case .later(let wait):
                throw MediaError(
                    .unavailable,
                    "PUT \(location): the store asks to wait \(AttemptWaits.describe(wait)) before the next try, "
                        + "longer than this attempt waits, so the job comes back then", requestedWait: wait)
            case .sleep(let wait):
                guard AttemptWaits.sleep(wait, shouldAbort: shouldAbort) else {
                    throw MediaError(.aborted, "\(location): stopped, the job was asked to stop")
                }
                attempt += 1
            }
        }
    }

    func download(_ location: MediaLocation, to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let (bucket, key) = try Self.object(location)
        var request = try signed("GET", bucket: bucket, key: key)
        request.maxResponseBytes = Int.max
        request.timeout = .seconds(6 * 3600)
        let (response, received) = try http.download(request, location: location, shouldAbort: shouldAbort, to: sink)
        if response.status == 404 { throw MediaError(.notFound, "\(location): no such object") }
        try check(response, location, "GET")
        return received
    }

    func delete(_ location: MediaLocation) throws(MediaError) {
        let (bucket, key) = try Self.object(location)
        let response = try send(try signed("DELETE", bucket: bucket, key: key), location)
        if response.status == 404 { return }
        try check(response, location, "DELETE")
    }

    func list(prefix: MediaLocation) throws(MediaError) -> [MediaObject] {
        guard case .s3(let bucket, let keyPrefix) = prefix else { throw MediaError(.invalid, "\(prefix) is not an s3:// location") }
        var objects: [MediaObject] = []
        var token: String?
        repeat {
            // Parameters in the canonical (sorted) order: libcurl 7.88 signs the query as given.
            var query = [("list-type", "2")]
            if let pageSize = settings.s3ListPageSize { query.append(("max-keys", String(pageSize))) }
            query.append(("prefix", keyPrefix))
            if let token { query.insert(("continuation-token", token), at: 0) }
            var request = try signed("GET", bucket: bucket, key: "", query: query)
            request.maxResponseBytes = 8 << 20
            let response = try send(request, prefix)
            try check(response, prefix, "LIST")
            let page = try S3ListParser.parse(response.body, bucket: bucket, for: prefix)
            objects += page.objects
            token = page.nextToken
        } while token != nil
        return objects
    }

    /// A request to `bucket/key` signed for the configured region.
    func signed(
        _ method: String, bucket: String, key: String, query: [(String, String)] = [], payloadSHA256: String = emptySHA256,
        headers: [HTTPHeader] = []
    ) throws(MediaError) -> HTTPRequest {
        guard !settings.s3AccessKeyID.isEmpty, !settings.s3SecretAccessKey.isEmpty else {
            throw MediaError(.denied, "s3://\(bucket)/\(key): no S3 credentials; set CALWORKER_S3_ACCESS_KEY_ID and CALWORKER_S3_SECRET_ACCESS_KEY")
        }
        var url = settings.resolvedS3Endpoint + "/" + bucket
        if !key.isEmpty { url += "/" + S3Encoding.path(key) }
        if !query.isEmpty {
            url += "?" + query.map { "\(S3Encoding.queryComponent($0.0))=\(S3Encoding.queryComponent($0.1))" }.joined(separator: "&")
        }
        var request = HTTPRequest(method: method, url: url, headers: headers + [HTTPHeader("x-amz-content-sha256", payloadSHA256)])
        request.timeout = .seconds(60)
        request.awsSigV4 = AWSSigV4(
            region: settings.s3Region, service: "s3", accessKeyID: settings.s3AccessKeyID,
            secretAccessKey: settings.s3SecretAccessKey)
        return request
    }

    func send(_ request: HTTPRequest, _ location: MediaLocation) throws(MediaError) -> HTTPResponse {
        do {
            return try http.send(request, retry: retry, shouldAbort: shouldAbort)
        } catch {
            throw MediaError(error: error, location: location)
        }
    }

    /// Turns an error status into the matching `MediaError`, with S3's own code and message.
    func check(_ response: HTTPResponse, _ location: MediaLocation, _ operation: String) throws(MediaError) {
        guard !response.isSuccess else { return }
        let detail = S3ListParser.errorSummary(response.body) ?? "HTTP \(response.status)"
        switch response.status {
        case 403, 401:
            throw MediaError(
                .denied,
                "\(operation) \(location): refused (\(detail)); check CALWORKER_S3_ACCESS_KEY_ID, "
                    + "CALWORKER_S3_SECRET_ACCESS_KEY, CALWORKER_S3_REGION and the key's permissions")
        case 404:
            throw MediaError(.notFound, "\(operation) \(location): \(detail)")
        case 429, 500...599:
            throw MediaError(.unavailable, "\(operation) \(location): the store answered \(detail); will retry")
        default:
            throw MediaError(.invalid, "\(operation) \(location): \(detail)")
        }
    }

    static func object(_ location: MediaLocation) throws(MediaError) -> (String, String) {
        guard case .s3(let bucket, let key) = location, !key.isEmpty, !key.hasSuffix("/") else {
            throw MediaError(.invalid, "\(location) does not name an S3 object (s3://bucket/key)")
        }
        return (bucket, key)
    }
}

extension MediaError {
    /// A transfer that got no response: timeouts and resets are worth retrying, the rest not.
    init(error: HTTPError, location: MediaLocation) {
        switch error.kind {
        case .transport: self.init(.unavailable, "\(location): \(error.message)")
        case .aborted: self.init(.aborted, "\(location): stopped, the job was asked to stop")
        case .responseTooLarge: self.init(.tooLarge, "\(location): \(error.message)")
        case .invalidRequest: self.init(.invalid, "\(location): \(error.message)")
        case .retryLater: self.init(.unavailable, "\(location): \(error.message)", requestedWait: error.requestedWait)
        }
    }
}
