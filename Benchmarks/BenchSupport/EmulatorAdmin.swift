public import Foundation
import HTTPClient
import Metrics

/// The google-emulator's admin API (seed, options, stats), for the benchmarks that run
/// against it: `admin("POST", "/seed", [...])`.
public struct EmulatorAdmin: Sendable {
    let url: String
    let http = HTTPClient(service: "bench", metrics: MetricsRegistry())

    public init(_ emulatorURL: String) { url = emulatorURL }

    /// Calls `/admin<path>` with `body` as JSON; throws unless the answer is a success.
    @discardableResult
    public func callAsFunction(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> Data {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let response = try http.send(
            HTTPRequest(
                method: method, url: url + "/admin" + path,
                headers: [HTTPHeader("Content-Type", "application/json")], body: data))
        guard response.isSuccess else { throw BenchError(description: "admin \(path): HTTP \(response.status) \(response.bodyExcerpt())") }
        return response.body
    }
}
