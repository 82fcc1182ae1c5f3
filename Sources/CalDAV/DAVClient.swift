public import DAV
public import Foundation
public import HTTPClient
import Redaction

/// WebDAV requests to one CalDAV account: Basic authentication with its app password, XML
/// bodies out, multistatus answers read within limits (`XMLReader`), and every answer that is
/// not what was asked for an error saying so (`CalDAVError`). Redirects are followed here, a
/// few at most, and only to the host the account was connected with: a server must not send
/// an account's password to another host.
public struct DAVClient: Sendable {
    public let http: HTTPClient
    let username: String
    let password: String
    /// The one host (and port) requests may go to.
    public let origin: String
    public var timeout: Duration = .seconds(60)
    /// The largest answer read. A multistatus of 10,000 events' data is tens of MB; more is a
    /// hostile server.
    public var maxResponseBytes = 32 << 20
    static let maxRedirects = 5

    public init(http: HTTPClient, origin: String, username: String, password: String) {
        self.http = http
        self.origin = origin
        self.username = username
        self.password = password
        // As OAuth tokens do when decrypted: no error, log line or stored message carries it,
        // even when a server echoes it back (`HTTPResponse.bodyExcerpt` redacts known secrets).
        KnownSecrets.register(password)
        KnownSecrets.register(Data("\(username):\(password)".utf8).base64EncodedString())
    }

    /// The origin (`https://host:port`) of a URL, or nil when it is not http(s).
    public static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = components.host, !host.isEmpty
        else { return nil }
        return "\(scheme)://\(host.lowercased())" + (components.port.map { ":\($0)" } ?? "")
    }

    /// An href from an answer as a full URL on this account's origin (an href of another
    /// origin is refused).
    public func resolve(_ href: String, against base: String) throws(CalDAVError) -> String {
        if href.hasPrefix("/") { return origin + href }
        if let hrefOrigin = Self.origin(of: href) {
            guard hrefOrigin == origin else { throw CalDAVError(.malformed, "the server named \(hrefOrigin), not \(origin)") }
            return href
        }
        guard let resolved = URL(string: href, relativeTo: URL(string: base))?.absoluteString else {
            throw CalDAVError(.malformed, "'\(href.prefix(200))' is not a reference")
        }
        return resolved
    }

    /// PROPFIND or REPORT, answered with a multistatus (207).
    public func multistatus(_ method: String, _ url: String, depth: String?, body: String) throws(CalDAVError) -> Multistatus {
        let response = try send(
            method, url, headers: depth.map { [HTTPHeader("Depth", $0)] } ?? [], body: Data(body.utf8),
            contentType: "application/xml; charset=utf-8")
        guard response.status == 207 else { throw CalDAVError.unexpected(response, asked: "\(method) \(url)") }
        do {
            return try Multistatus(try XMLReader.parse(Array(response.body)))
        } catch {
            throw CalDAVError(.malformed, "\(method) \(url): \(error.message)")
        }
    }

    /// The precondition a `DAV:error` body names (`valid-sync-token`), if it is one.
    static func precondition(_ response: HTTPResponse) -> String? {
        guard response.body.count <= 64 << 10, let root = try? XMLReader.parse(Array(response.body)),
            root.namespace == Multistatus.dav, root.name == "error"
        else { return nil }
        return root.children.first?.name
    }

    /// One request, redirects followed on this origin; 401 and 403 are `.authRefused`, 429 and
    /// 503 `.rateLimited` (with the server's wait), other 5xx `.unavailable`.
    public func send(
        _ method: String, _ url: String, headers: [HTTPHeader] = [], body: Data? = nil, contentType: String? = nil
    ) throws(CalDAVError) -> HTTPResponse {
        var target = url
        for _ in 0...Self.maxRedirects {
            guard Self.origin(of: target) == origin else {
                throw CalDAVError(.redirectRefused, "\(method) \(url) was sent to \(Self.origin(of: target) ?? target), not \(origin)")
            }
            var request = HTTPRequest(method: method, url: target, headers: headers, body: body)
            request.headers.append(HTTPHeader("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()))
            if let contentType { request.headers.append(HTTPHeader("Content-Type", contentType)) }
            request.timeout = timeout
            request.maxResponseBytes = maxResponseBytes
            let response: HTTPResponse
            do {
                response = try http.send(request)
            } catch {
                throw CalDAVError(error.kind == .responseTooLarge ? .malformed : .unavailable, "\(method) \(target): \(error.message)")
            }
            switch response.status {
            case 301, 302, 303, 307, 308:
                guard let location = response.header("Location") else { throw CalDAVError.unexpected(response, asked: "\(method) \(target)") }
                let next: String
                do {
                    next = try resolve(location, against: target)
                } catch {
                    throw CalDAVError(.redirectRefused, "\(method) \(target) redirects to \(location.prefix(200)): refused, another host")
                }
                target = next
                continue
            case 403 where Self.precondition(response) != nil, 409 where Self.precondition(response) != nil:
                let name = Self.precondition(response) ?? ""
                throw CalDAVError(
                    name == "valid-sync-token" ? .syncTokenInvalid : .refused, "\(method) \(target): \(response.status), precondition \(name)")
            case 401, 403:
                throw CalDAVError(.authRefused, "\(method) \(target): \(response.status): the server refused the username and app password")
            case 429, 503:
                throw CalDAVError(
                    .rateLimited, "\(method) \(target): \(response.status)",
                    wait: HTTPRetryPolicy.parseRetryAfter(response.header("Retry-After") ?? "", now: Date()).map { .seconds($0) })
            case 500...599:
                throw CalDAVError(.unavailable, "\(method) \(target): \(response.status) \(response.bodyExcerpt(limit: 200))")
            default:
                return response
            }
        }
        throw CalDAVError(.redirectRefused, "\(method) \(url): more than \(Self.maxRedirects) redirects")
    }
}
