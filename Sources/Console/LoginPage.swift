/// The login form: a token field and nothing else.
enum LoginPage {
    static func body(problem: String? = nil) -> HTML {
        let warning: HTML = problem.map { "<p class=\"message\">\($0)</p>" } ?? ""
        return """
            \(warning)
            <form method="post" action="/login">
            <label>Console token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
            <button>Log in</button></form>
            <p>The operator token (CALWORKER_CONSOLE_TOKEN) may act; the read-only token
            (CALWORKER_CONSOLE_READONLY_TOKEN) sees everything and changes nothing.</p>
            """
    }
}
