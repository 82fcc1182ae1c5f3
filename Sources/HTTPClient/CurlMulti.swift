import CCurl

/// One libcurl multi handle: several transfers driven by one thread. `curl_multi_cleanup`
/// runs in `deinit` and nowhere else; easy handles are removed before they go.
final class CurlMulti {
    private let handle: UnsafeMutableRawPointer

    init() throws(HTTPError) {
        guard let handle = curl_multi_init() else { throw HTTPError(.transport, "libcurl could not allocate a multi handle") }
        self.handle = handle
    }

    deinit { curl_multi_cleanup(handle) }

    func add(_ easy: CurlEasy) throws(HTTPError) {
        let code = curl_multi_add_handle(handle, easy.handle)
        guard code == CURLM_OK else { throw HTTPError(.transport, "libcurl could not add a transfer: \(Self.describe(code))") }
    }

    func remove(_ easy: CurlEasy) {
        curl_multi_remove_handle(handle, easy.handle)
    }

    /// Moves every transfer along as far as it can without blocking; returns how many still run.
    func perform() throws(HTTPError) -> Int {
        var running: Int32 = 0
        let code = curl_multi_perform(handle, &running)
        guard code == CURLM_OK else { throw HTTPError(.transport, "libcurl multi transfer failed: \(Self.describe(code))") }
        return Int(running)
    }

    /// Waits up to `milliseconds` for activity on any transfer.
    func poll(milliseconds: Int32) {
        var ready: Int32 = 0
        _ = curl_multi_poll(handle, nil, 0, milliseconds, &ready)
    }

    /// Transfers that finished since the last call: their easy handle and result.
    func finished() -> [(handle: UnsafeMutableRawPointer, code: CURLcode)] {
        var done: [(UnsafeMutableRawPointer, CURLcode)] = []
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(handle, &remaining) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                done.append((easy, cw_curl_msg_result(message)))
            }
        }
        return done
    }

    static func describe(_ code: CURLMcode) -> String {
        "\(String(cString: curl_multi_strerror(code))), CURLMcode \(code.rawValue)"
    }
}
