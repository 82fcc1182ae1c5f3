import CCurl
import Foundation

/// One libcurl easy handle, owned: `curl_easy_cleanup` runs in `deinit` and nowhere else.
/// Used by one thread at a time (a transfer blocks its caller); never shared.
final class CurlEasy {
    /// Module-internal: `CurlMulti` drives several handles at once.
    let handle: UnsafeMutableRawPointer
    /// libcurl writes its detailed message here (`CURLOPT_ERRORBUFFER`); more useful than
    /// `curl_easy_strerror`'s generic text ("Failed to connect to 127.0.0.1 port 9: ...").
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// Other lists handed to libcurl (SMTP recipients): freed with the handle.
    private var otherLists: [UnsafeMutablePointer<curl_slist>] = []

    /// `curl_global_init` must run once before any handle, and is not thread-safe itself:
    /// a static `let` initializer runs exactly once, under Swift's own lock.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    init() throws(HTTPError) {
        guard Self.globalInit == CURLE_OK else {
            throw HTTPError(.transport, "libcurl could not initialise: \(Self.describe(Self.globalInit))")
        }
        guard let handle = curl_easy_init() else {
            throw HTTPError(.transport, "libcurl could not allocate a handle")
        }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        // Worker threads must not get SIGALRM from libcurl's DNS timeouts.
        try set(CURLOPT_NOSIGNAL, 1)
        // TLS verification is on by default in libcurl; say so, so nobody wonders.
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
    }

    deinit {
        curl_easy_cleanup(handle)
        if let headerList { curl_slist_free_all(headerList) }
        for list in otherLists { curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(cw_curl_setopt_long(handle, option, value), "setting option \(option.rawValue)")
    }

    func set(_ option: CURLoption, offset value: Int64) throws(HTTPError) {
        try check(cw_curl_setopt_off_t(handle, option, curl_off_t(value)), "setting option \(option.rawValue)")
    }

    /// libcurl copies string options (since 7.17), so the Swift string may go away after.
    func set(_ option: CURLoption, _ value: String) throws(HTTPError) {
        try check(cw_curl_setopt_string(handle, option, value), "setting option \(option.rawValue)")
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(HTTPError) {
        try check(cw_curl_setopt_pointer(handle, option, pointer), "setting option \(option.rawValue)")
    }

    func set(_ option: CURLoption, callback: cw_curl_data_callback) throws(HTTPError) {
        try check(cw_curl_setopt_data_callback(handle, option, callback), "setting callback \(option.rawValue)")
    }

    func setRead(_ callback: cw_curl_read_callback) throws(HTTPError) {
        try check(cw_curl_setopt_read_callback(handle, callback), "setting the read callback")
    }

    func setProgress(_ callback: cw_curl_xferinfo_callback) throws(HTTPError) {
        try check(cw_curl_setopt_xferinfo_callback(handle, callback), "setting the progress callback")
        try set(CURLOPT_NOPROGRESS, 0)
    }

    /// Replaces the request headers; the list lives as long as this handle.
    func setHeaders(_ lines: [String]) throws(HTTPError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                throw HTTPError(.transport, "libcurl could not allocate a header list")
            }
            list = appended
        }
        if let headerList { curl_slist_free_all(headerList) }
        headerList = list
        try check(cw_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list), "setting headers")
    }

    /// Sets a string-list option other than the headers (`CURLOPT_MAIL_RCPT`); the list lives
    /// as long as this handle.
    func setList(_ option: CURLoption, _ lines: [String]) throws(HTTPError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                throw HTTPError(.transport, "libcurl could not allocate a list")
            }
            list = appended
        }
        if let list { otherLists.append(list) }
        try check(cw_curl_setopt_slist(handle, option, list), "setting list option \(option.rawValue)")
    }

    /// Runs the transfer; blocks until it ends.
    func perform() -> CURLcode {
        errorBuffer[0] = 0
        return curl_easy_perform(handle)
    }

    func responseCode() -> Int {
        var code = 0
        _ = cw_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// libcurl's message for a failed transfer: the detailed buffer when it has one.
    func message(for code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? Self.describe(code) : "\(detail) (\(Self.describe(code)))"
    }

    static func describe(_ code: CURLcode) -> String {
        "\(String(cString: curl_easy_strerror(code))), CURLcode \(code.rawValue)"
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPError) {
        guard code == CURLE_OK else {
            throw HTTPError(.invalidRequest, "libcurl refused \(what): \(Self.describe(code))", curlCode: Int(code.rawValue))
        }
    }
}
