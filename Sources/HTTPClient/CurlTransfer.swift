import CCurl
import Foundation

/// What libcurl's callbacks write into during one transfer. Passed to them as an opaque
/// pointer that lives exactly as long as `perform` (see `HTTPClient.transfer`).
final class CurlTransfer {
    var body = Data()
    var headers: [HTTPHeader] = []
    let maxBytes: Int
    let shouldAbort: (@Sendable () -> Bool)?
    var tooLarge = false
    var aborted = false
    /// When set, body bytes go here as they arrive instead of into `body`.
    var sink: ((UnsafeRawBufferPointer) throws -> Void)?
    /// The sink threw: the transfer stops and this is rethrown.
    var sinkError: (any Error)?
    /// When set, the request body is read from here as libcurl sends it.
    var source: (any HTTPBodySource)?
    var sourceError: (any Error)?
    /// Bytes received so far (streamed or kept).
    var received = 0
    /// The status of the response being received, from its status line.
    var status = 0
    /// Header bytes received; a server sending headers without end is cut off.
    var headerBytes = 0
    static let maxHeaderBytes = 256 << 10

    init(maxBytes: Int, shouldAbort: (@Sendable () -> Bool)?) {
        self.maxBytes = maxBytes
        self.shouldAbort = shouldAbort
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(pointer!).takeUnretainedValue()
    }

    /// Body bytes. Returning less than offered makes libcurl stop with CURLE_WRITE_ERROR.
    static let write: cw_curl_data_callback = { data, size, count, context in
        let transfer = CurlTransfer.from(context)
        let length = size * count
        guard transfer.received + length <= transfer.maxBytes else {
            transfer.tooLarge = true
            return 0
        }
        transfer.received += length
        guard let data else { return length }
        // Only a success's body is streamed; an error's (S3's XML, say) is kept for the caller.
        if let sink = transfer.sink, (200..<300).contains(transfer.status) {
            do {
                try sink(UnsafeRawBufferPointer(start: data, count: length))
            } catch {
                transfer.sinkError = error
                return 0
            }
        } else {
            transfer.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
        }
        return length
    }

    /// Request body bytes for libcurl; CURL_READFUNC_ABORT stops the transfer.
    static let read: cw_curl_read_callback = { buffer, size, count, context in
        let transfer = CurlTransfer.from(context)
        guard let buffer, let source = transfer.source else { return 0 }
        do {
            return try source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
        } catch {
            transfer.sourceError = error
            return Int(CURL_READFUNC_ABORT)
        }
    }

    /// One header line at a time. A new status line (after `100 Continue`) starts a new set.
    static let header: cw_curl_data_callback = { data, size, count, context in
        let transfer = CurlTransfer.from(context)
        let length = size * count
        transfer.headerBytes += length
        guard transfer.headerBytes <= maxHeaderBytes else {
            transfer.tooLarge = true
            return 0
        }
        guard let data else { return length }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            transfer.headers = []
            transfer.status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        } else if let colon = line.firstIndex(of: ":") {
            transfer.headers.append(
                HTTPHeader(
                    String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        return length
    }

    /// Called often during a transfer (and at least once a second while it stalls); a non-zero
    /// return aborts it with CURLE_ABORTED_BY_CALLBACK.
    static let progress: cw_curl_xferinfo_callback = { context, _, _, _, _ in
        let transfer = CurlTransfer.from(context)
        if transfer.shouldAbort?() == true {
            transfer.aborted = true
            return 1
        }
        return 0
    }
}
