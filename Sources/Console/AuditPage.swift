import JobQueue

/// Every action taken from the console or the CLI, newest first.
enum AuditPage {
    static func body(_ entries: [AuditEntry]) -> HTML {
        let rows = entries.map { entry -> HTML in
            """
            <tr><td>\(ConsoleFormat.time(entry.at))</td><td>\(entry.actor)</td><td>\(entry.origin)</td><td>\(entry.action)</td>
            <td class="args">\(entry.target)</td><td>\(entry.count.map(String.init))</td></tr>
            """
        }
        return """
            <p>The last 30 days, newest first (at most 500).</p>
            <table><thead><tr><th>When</th><th>Who</th><th>From</th><th>Action</th><th>On</th><th>Jobs</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }
}
