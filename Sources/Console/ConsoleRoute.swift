import HTTPServer

/// One thing the console answers: a path pattern, who may ask, and the handler. The pages
/// (GET and HEAD) and the actions (POST) are each one table of these (`ConsoleApp.pages`,
/// `ConsoleApp.actions`), read top to bottom; a path no route matches is a 404.
struct ConsoleRoute: Sendable {
    enum Part: Sendable {
        case literal(String)
        /// A positive number (an account or job id).
        case id
        /// Any one segment, percent-decoded (a queue's name).
        case name
        /// One of these words (an action's verb), kept among the names.
        case oneOf([String])
    }

    /// Who may use a route once logged in.
    enum Access: Sendable {
        /// Any session, the read-only one too.
        case session
        /// Operators only: a state change.
        case `operator`
    }

    let pattern: [Part]
    let access: Access
    let answer: @Sendable (ConsoleApp, ConsoleCall) throws -> HTTPServerResponse

    init(
        _ pattern: [Part], _ access: Access = .session,
        _ answer: @escaping @Sendable (ConsoleApp, ConsoleCall) throws -> HTTPServerResponse
    ) {
        self.pattern = pattern
        self.access = access
        self.answer = answer
    }

    /// The ids and names the path holds when it matches this route's pattern.
    func match(_ segments: [String]) -> (ids: [Int64], names: [String])? {
        guard segments.count == pattern.count else { return nil }
        var ids: [Int64] = []
        var names: [String] = []
        for (part, segment) in zip(pattern, segments) {
            switch part {
            case .literal(let text):
                guard segment == text else { return nil }
            case .id:
                guard let id = Int64(segment), id > 0 else { return nil }
                ids.append(id)
            case .name:
                names.append(ConsoleForm.decode(segment))
            case .oneOf(let words):
                guard words.contains(segment) else { return nil }
                names.append(segment)
            }
        }
        return (ids, names)
    }

    /// The first route of `table` the path matches, with what it holds.
    static func find(_ path: String, in table: [ConsoleRoute]) -> (route: ConsoleRoute, call: (ids: [Int64], names: [String]))? {
        let segments = path.split(separator: "/").map(String.init)
        for route in table {
            if let values = route.match(segments) { return (route, values) }
        }
        return nil
    }
}

/// What a route's handler gets: the session, the path's ids and names, and the query (a page)
/// or the posted form (an action).
struct ConsoleCall {
    var session: ConsoleSessions.Session
    var ids: [Int64]
    var names: [String]
    var fields: ConsoleForm
    /// Who acts, for the audit log: the role and the client's address.
    var actor: String
}
