import HTTPServer

/// The shell every page shares: the navigation, the stylesheet, the script, the headers. The
/// script (`ConsoleScript`) only adds live refresh and confirmations: every page reads and
/// every action works without it.
enum ConsolePage {
    /// How often a live page refreshes itself (with the script, while its tab is visible).
    static let refreshSeconds = 5

    /// - Parameters:
    ///   - session: the logged-in session and its CSRF token (the logout form's); nil on the
    ///     login page.
    ///   - refresh: whether the script keeps the page current (pages of what is happening now,
    ///     not older pages a reader is going through).
    static func response(
        status: Int = 200, title: String, session: (ConsoleSessions.Session, csrf: String)?, refresh: Bool = false,
        body: HTML, headers: [(name: String, value: String)] = []
    ) -> HTTPServerResponse {
        let navigation: HTML =
            session.map { session, csrf in
                """
                <nav><a href="/">Overview</a> <a href="/runs">Runs</a> <a href="/accounts">Accounts</a> <a href="/schedules">Schedules</a> <a href="/backups">Backups</a> <a href="/bulk">Bulk</a> <a href="/audit">Audit</a>
                <span class="role">\(session.role.rawValue)</span>
                <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="\(csrf)"><button>Log out</button></form></nav>
                """
            } ?? ""
        let refreshAttribute: HTML = refresh ? " data-refresh=\"\(refreshSeconds)\"" : ""
        let page: HTML = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · calworker</title>
            <link rel="stylesheet" href="/static/console.css"><script src="/static/console.js" defer></script></head>
            <body\(refreshAttribute)>\(navigation)<main><h1>\(title)</h1>
            \(body)</main></body></html>
            """
        return HTTPServerResponse(
            status: status, contentType: "text/html; charset=utf-8", body: page.markup,
            headers: SecurityHeaders.fields + headers)
    }

    /// A redirect after a form (303: the browser GETs the target).
    static func redirect(to link: ConsoleLink, headers: [(name: String, value: String)] = []) -> HTTPServerResponse {
        HTTPServerResponse(
            status: 303, body: "",
            headers: SecurityHeaders.fields
                + [(name: "Location", value: link.href)] + headers)
    }

    /// A button that POSTs to `link` with the session's CSRF token: every action's form.
    /// - Parameter confirm: the question the script asks before sending (none without it).
    static func actionForm(_ link: ConsoleLink, _ label: String, csrf: String, confirm: String? = nil) -> HTML {
        let question: HTML = confirm.map { " data-confirm=\"\($0)\"" } ?? ""
        return """
            <form method="post" action="\(link)" class="inline"\(question)>
            <input type="hidden" name="csrf" value="\(csrf)"><button>\(label)</button></form>
            """
    }

    /// A message page: why something was refused, and what to do.
    static func message(status: Int, title: String, _ text: String, session: (ConsoleSessions.Session, csrf: String)?) -> HTTPServerResponse {
        response(status: status, title: title, session: session, body: "<p class=\"message\">\(text)</p>")
    }

    /// The stylesheet: small, no web fonts, usable on a phone.
    static let stylesheet = """
        body { font: 15px/1.4 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
        nav { display: flex; flex-wrap: wrap; gap: .8em; align-items: center; padding: .6em 1em; background: #20334d; }
        nav a, nav .role { color: #fff; text-decoration: none; } nav .role { margin-left: auto; opacity: .8; }
        main { padding: 1em; max-width: 80em; }
        table { border-collapse: collapse; width: 100%; display: block; overflow-x: auto; }
        th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
        td.error, td.args { font-family: ui-monospace, monospace; font-size: 13px; word-break: break-word; }
        form.inline { display: inline; } form.filters { display: flex; flex-wrap: wrap; gap: .5em; margin-bottom: 1em; }
        .message { padding: .6em; background: #fff3cd; } .paused { color: #a15c00; font-weight: bold; }
        nav button.live { font-size: 12px; }
        .outcome-failed, .outcome-discarded, .outcome-lost { color: #b00020; } .outcome-completed { color: #126b2f; }
        """
}
