import Crypto
import Foundation
import HTTPClient

/// S3's multipart upload, for files larger than one part: a single PUT stops at 5 GB, and a
/// connection dropped late in a long PUT would cost the whole upload again.
extension S3Store {
    /// S3's limits: at most 10,000 parts, each at least 5 MiB (but the last), objects up to 5 TiB.
    static let maxParts: Int64 = 10_000
    static let maxObjectBytes: Int64 = 5 << 40

    /// The preferred size, or larger (in whole MiB) when the file would need more parts than S3 allows.
    static func partSize(for size: Int64, preferred: Int64) -> Int64 {
        let mebibyte: Int64 = 1 << 20
        let needed = (size + maxParts - 1) / maxParts
        return max(preferred, (needed + mebibyte - 1) / mebibyte * mebibyte)
    }

    /// Initiates, sends every part (each signed with its own SHA-256, retried on its own),
    /// completes; on any failure the upload is aborted so S3 does not keep (and bill) its parts.
    /// Until completion the object does not exist: a killed run leaves no half object, only
    /// an incomplete upload that `removeAbandonedUploads` (or a bucket lifecycle rule) clears.
    func multipartUpload(
        _ location: MediaLocation, bucket: String, key: String, file path: String, size: Int64,
        contentType: String
    ) throws(MediaError) {
        guard size <= Self.maxObjectBytes else {
            throw MediaError(.invalid, "\(location): \(size) bytes is more than S3's largest object (5 TiB)")
        }
        let partSize = Self.partSize(for: size, preferred: max(settings.s3PartSize, 5 << 20))
        var initiate = try signed("POST", bucket: bucket, key: key, query: [("uploads", "")], headers: [HTTPHeader("Content-Type", contentType)])
        initiate.body = Data()
        let started = try send(initiate, location)
        try check(started, location, "initiating the multipart upload of")
        guard let uploadID = S3ListParser.field("UploadId", in: started.body), !uploadID.isEmpty else {
            throw MediaError(.unavailable, "\(location): the store's answer to initiating a multipart upload names no UploadId")
        }
        do throws(MediaError) {
            var parts: [(number: Int, etag: String)] = []
            var offset: Int64 = 0
            while offset < size {
                let number = parts.count + 1
                let length = min(partSize, size - offset)
                let hash = try Self.sha256(of: path, offset: offset, length: length, location)
                let request = try signed(
                    "PUT", bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)],
                    payloadSHA256: hash)
                let response = try sendFile(request, path: path, offset: offset, length: length, location)
                try check(response, location, "PUT part \(number) of")
                guard let etag = response.header("ETag"), !etag.isEmpty else {
                    throw MediaError(.unavailable, "\(location): the store's answer to part \(number) has no ETag")
                }
                parts.append((number, etag))
                offset += length
            }
            let document = Data(Self.completion(parts).utf8)
            var complete = try signed(
                "POST", bucket: bucket, key: key, query: [("uploadId", uploadID)],
                payloadSHA256: Digest.hex(Digest.sha256([UInt8](document))),
                headers: [HTTPHeader("Content-Type", "application/xml")])
            complete.body = document
            // S3 may take minutes to assemble a large object, sending spaces meanwhile.
            complete.timeout = .seconds(600)
            let finished = try send(complete, location)
            try check(finished, location, "completing the multipart upload of")
            // S3 can answer 200 and still fail: the error is then in the body.
            if let error = S3ListParser.errorSummary(finished.body) {
                throw MediaError(.unavailable, "completing the multipart upload of \(location): \(error); will retry")
            }
        } catch {
            abortUpload(bucket: bucket, key: key, uploadID: uploadID)
            throw error
        }
    }

    /// Best effort, and even when the job is stopping: the parts would otherwise be kept.
    func abortUpload(bucket: String, key: String, uploadID: String) {
        guard var request = try? signed("DELETE", bucket: bucket, key: key, query: [("uploadId", uploadID)]) else { return }
        request.timeout = .seconds(30)
        _ = try? http.send(request, retry: retry, shouldAbort: { false })
    }

    /// The `CompleteMultipartUpload` document: every part's number and ETag, in order.
    static func completion(_ parts: [(number: Int, etag: String)]) -> String {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let items = parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(escaped($0.etag))</ETag></Part>" }
        return "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + items.joined() + "</CompleteMultipartUpload>"
    }

    /// SHA-256 of a range of a file, read in 1 MiB pieces (a part is signed with its hash).
    static func sha256(of path: String, offset: Int64, length: Int64, _ location: MediaLocation) throws(MediaError) -> String {
        do {
            let source = try FileBodySource(path: path, offset: offset, length: length)
            let hasher = SHA256Hasher()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let count = try source.read(into: buffer)
                if count == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
            return hasher.hex
        } catch {
            throw MediaError(.invalid, "\(location): cannot read \(path) to upload it: \(error)")
        }
    }
}

extension S3Store {
    /// Aborts the multipart uploads under `prefix` begun before `cutoff`: what runs killed
    /// mid-upload leave. S3 keeps (and bills) their parts until they are aborted.
    func removeAbandonedUploads(prefix: MediaLocation, olderThan cutoff: Date) throws(MediaError) -> Int {
        guard case .s3(let bucket, let keyPrefix) = prefix else { throw MediaError(.invalid, "\(prefix) is not an s3:// location") }
        var removed = 0
        var marker: (keyMarker: String, uploadIDMarker: String)?
        repeat {
            // Parameters in the canonical (sorted) order: libcurl 7.88 signs the query as given.
            var query: [(String, String)] = [("prefix", keyPrefix), ("uploads", "")]
            if let marker {
                query.insert(("key-marker", marker.keyMarker), at: 0)
                query.insert(("upload-id-marker", marker.uploadIDMarker), at: 2)
            }
            var request = try signed("GET", bucket: bucket, key: "", query: query)
            request.maxResponseBytes = 8 << 20
            let response = try send(request, prefix)
            try check(response, prefix, "listing the unfinished uploads under")
            let page = try S3UploadsParser.parse(response.body, for: prefix)
            for upload in page.uploads where upload.key.hasPrefix(keyPrefix) && (upload.initiated ?? .distantFuture) < cutoff {
                abortUpload(bucket: bucket, key: upload.key, uploadID: upload.uploadID)
                removed += 1
            }
            marker = page.next
        } while marker != nil
        return removed
    }
}
