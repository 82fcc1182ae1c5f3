import HTTPClient

extension HTTPClient {
    /// A GET whose body goes to `sink` as it arrives (only a success's: an error's body is kept
    /// in the response for its message). Returns the response and how many bytes `sink` got.
    func download(
        _ request: HTTPRequest, location: MediaLocation, shouldAbort: @escaping @Sendable () -> Bool,
        to sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> (HTTPResponse, Int64) {
        var received: Int64 = 0
        do {
            let response = try withoutActuallyEscaping(sink) { sink in
                try send(
                    request,
                    streamingTo: { bytes in
                        received += Int64(bytes.count)
                        try sink(bytes)
                    }, shouldAbort: shouldAbort)
            }
            return (response, received)
        } catch let error as HTTPError {
            throw MediaError(error: error, location: location)
        }
    }
}
