public import Basics
import HTTPServer

/// An error answer of the Calendar API, in Google's JSON shape:
/// `{"error": {"code", "message", "errors": [{"domain", "reason", "message", ...}], "status"}}`.
///
/// The in-process control methods throw it too, so a test sees the same reason a client would.
public struct GoogleAPIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var code: Int
    /// `global`, `usageLimits` or `calendar`.
    public var domain: String
    /// The machine-readable reason a client acts on (`notFound`, `fullSyncRequired`, ...).
    public var reason: String
    public var message: String
    /// The gRPC-style status name Google adds (`NOT_FOUND`); nil where Google's documented body
    /// has none (410 `fullSyncRequired`).
    public var status: String?
    public var location: String?
    public var locationType: String?
    /// Extra response headers (`Retry-After` on 429).
    public var headers: [(name: String, value: String)] = []
    /// The message inside `errors[0]` when it differs from the top-level one.
    var itemMessage: String?

    public init(
        code: Int, domain: String = "global", reason: String, message: String, status: String? = nil,
        location: String? = nil, locationType: String? = nil
    ) {
        self.code = code
        self.domain = domain
        self.reason = reason
        self.message = message
        self.status = status
        self.location = location
        self.locationType = locationType
    }

    public var description: String { "\(code) \(reason): \(message)" }

    var json: JSONValue {
        var item: [String: JSONValue] = ["domain": .string(domain), "reason": .string(reason), "message": .string(itemMessage ?? message)]
        if let location { item["location"] = .string(location) }
        if let locationType { item["locationType"] = .string(locationType) }
        var error: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message), "errors": .array([.object(item)])]
        if let status { error["status"] = .string(status) }
        return .object(["error": .object(error)])
    }

    var response: HTTPServerResponse {
        HTTPServerResponse(status: code, contentType: "application/json; charset=UTF-8", bytes: json.serialized(), headers: headers)
    }
}

extension GoogleAPIError {
    static let authError = GoogleAPIError(
        code: 401, reason: "authError",
        message:
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        status: "UNAUTHENTICATED", location: "Authorization", locationType: "header"
    )
    .withItemMessage("Invalid Credentials")

    static let notFound = GoogleAPIError(code: 404, reason: "notFound", message: "Not Found", status: "NOT_FOUND")
    static let duplicate = GoogleAPIError(
        code: 409, reason: "duplicate", message: "The requested identifier already exists.", status: "ALREADY_EXISTS")
    static let deleted = GoogleAPIError(code: 410, reason: "deleted", message: "Resource has been deleted")
    static let fullSyncRequired = GoogleAPIError(
        code: 410, reason: "fullSyncRequired", message: "Sync token is no longer valid, a full sync is required.")
    static let conditionNotMet = GoogleAPIError(
        code: 412, reason: "conditionNotMet", message: "Precondition Failed",
        status: "FAILED_PRECONDITION", location: "If-Match", locationType: "header")
    static let parseError = GoogleAPIError(code: 400, reason: "parseError", message: "Parse Error", status: "INVALID_ARGUMENT")
    static let writerAccessRequired = GoogleAPIError(
        code: 403, domain: "calendar", reason: "requiredAccessLevel",
        message: "You need to have writer access to this calendar.", status: "PERMISSION_DENIED")

    static func invalid(_ message: String, parameter: String? = nil) -> GoogleAPIError {
        GoogleAPIError(
            code: 400, reason: "invalid", message: message, status: "INVALID_ARGUMENT",
            location: parameter, locationType: parameter == nil ? nil : "parameter")
    }

    static func required(_ message: String) -> GoogleAPIError {
        GoogleAPIError(code: 400, reason: "required", message: message, status: "INVALID_ARGUMENT")
    }

    static func timeRangeEmpty(location: String) -> GoogleAPIError {
        GoogleAPIError(
            code: 400, domain: "calendar", reason: "timeRangeEmpty", message: "The specified time range is empty.",
            status: "INVALID_ARGUMENT", location: location, locationType: "parameter")
    }

    /// Google's 401 body says "Invalid Credentials" in the item but a longer sentence on top.
    private func withItemMessage(_ itemMessage: String) -> GoogleAPIError {
        var copy = self
        copy.itemMessage = itemMessage
        return copy
    }
}

extension GoogleAPIError: CalworkerError {
    public var errorCode: String { reason }
    /// As Google documents it: rate limits and server errors pass, the rest does not.
    public var isRetryable: Bool { code == 429 || code >= 500 || ["rateLimitExceeded", "userRateLimitExceeded"].contains(reason) }
}
