import CCurl

extension HTTPClient {
    /// Sends many requests at once over libcurl's multi interface, at most `maxConcurrent` in
    /// flight, from the calling thread (no thread per request). Results come back in the order
    /// of `requests`; one failing does not stop the others.
    public func sendAll(
        _ requests: [HTTPRequest], maxConcurrent: Int = 8,
        shouldAbort: (@Sendable () -> Bool)? = nil
    ) -> [Result<HTTPResponse, HTTPError>] {
        var results = [Result<HTTPResponse, HTTPError>?](repeating: nil, count: requests.count)
        let multi: CurlMulti
        do { multi = try CurlMulti() } catch { return requests.map { _ in .failure(error) } }
        var active: [UnsafeMutableRawPointer: (index: Int, easy: CurlEasy, state: CurlTransfer, started: ContinuousClock.Instant)] = [:]
        var next = 0
        let limit = max(1, maxConcurrent)
        while next < requests.count || !active.isEmpty {
            while next < requests.count && active.count < limit {
                let request = requests[next]
                let state = CurlTransfer(maxBytes: request.maxResponseBytes, shouldAbort: shouldAbort)
                do {
                    let easy = try prepare(request, state: state)
                    try multi.add(easy)
                    active[easy.handle] = (next, easy, state, ContinuousClock.now)
                } catch {
                    results[next] = .failure(error)
                    record(method: request.method.uppercased(), outcome: .failure(error), since: ContinuousClock.now)
                }
                next += 1
            }
            if active.isEmpty { continue }
            do {
                _ = try multi.perform()
            } catch {
                for (_, transfer) in active {
                    multi.remove(transfer.easy)
                    results[transfer.index] = .failure(error)
                }
                active.removeAll()
                continue
            }
            for (handle, code) in multi.finished() {
                guard let transfer = active.removeValue(forKey: handle) else { continue }
                multi.remove(transfer.easy)
                let request = requests[transfer.index]
                let outcome = Result { () throws(HTTPError) in try finish(request, easy: transfer.easy, code: code, state: transfer.state) }
                record(method: request.method.uppercased(), outcome: outcome, since: transfer.started)
                results[transfer.index] = outcome
            }
            if !active.isEmpty { multi.poll(milliseconds: 100) }
        }
        return results.map { $0 ?? .failure(HTTPError(.transport, "the transfer did not run")) }
    }
}
