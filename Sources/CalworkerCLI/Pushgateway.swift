import Foundation
import HTTPClient
import Metrics

/// Pushes a batch run's metrics to a Prometheus Pushgateway, as Prometheus recommends for
/// jobs that are not around to be scraped (`work --once` from cron).
///
/// The grouping key is `job="calworker"` and `instance=<host>`, each sent base64url-encoded
/// (`/job@base64/...`) so any host name is a valid path segment. A successful run replaces
/// the group (PUT); a failed run only updates the families it pushes (POST), so the
/// `..._last_success_timestamp_seconds` of the last good run survives for alerting.
struct Pushgateway {
    let baseURL: String
    let job: String
    let instance: String
    let client: HTTPClient

    init(url: String, job: String = "calworker", instance: String = ProcessInfo.processInfo.hostName, metrics: MetricsRegistry) {
        self.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.job = job
        self.instance = instance
        self.client = HTTPClient(service: "pushgateway", metrics: metrics)
    }

    var groupURL: String {
        "\(baseURL)/metrics/job@base64/\(Self.base64URL(job))/instance@base64/\(Self.base64URL(instance))"
    }

    func push(_ text: String, replace: Bool) throws(CLIError) {
        var request = HTTPRequest(
            method: replace ? "PUT" : "POST", url: groupURL,
            headers: [HTTPHeader("Content-Type", PrometheusText.contentType)], body: Data(text.utf8))
        request.timeout = .seconds(15)
        let response: HTTPResponse
        do {
            response = try client.send(request, retry: HTTPRetryPolicy(maxAttempts: 3))
        } catch {
            throw CLIError(
                .failure, "cannot push metrics to the Pushgateway: \(error.message)",
                hint: "check --pushgateway (\(HTTPClient.redact(baseURL))) and that the Pushgateway is up")
        }
        guard response.isSuccess else {
            throw CLIError(.failure, "the Pushgateway refused the metrics: HTTP \(response.status): \(response.bodyExcerpt())")
        }
    }

    /// RFC 4648 §5 without padding, as the Pushgateway accepts in `@base64` path segments.
    static func base64URL(_ text: String) -> String {
        // An empty value must be a single "=" (the Pushgateway's documented way).
        if text.isEmpty { return "=" }
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
