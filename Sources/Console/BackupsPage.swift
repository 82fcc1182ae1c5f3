public import Foundation
import HTTPServer
import Postgres

/// The backups under the configured target, as the console lists them. The backup code lives
/// above this module, so the command that starts the console supplies the listing.
public struct ConsoleBackups: Sendable {
    /// One backup folder and what its manifest says.
    public struct Entry: Sendable {
        public var id: String
        public var createdAt: Date
        /// verified, failed, unverified, or incomplete (no manifest: a backup that never finished).
        public var status: String
        public var bytes: Int64?
        public var verifiedAt: Date?
        public var error: String?

        public init(id: String, createdAt: Date, status: String, bytes: Int64?, verifiedAt: Date?, error: String?) {
            self.id = id
            self.createdAt = createdAt
            self.status = status
            self.bytes = bytes
            self.verifiedAt = verifiedAt
            self.error = error
        }
    }

    /// The target's prefix as operators write it (`s3://bucket/backups/`); never credentials.
    public var target: String
    /// Lists the target's backups, oldest first; throws when the store cannot be read.
    public var list: @Sendable () throws -> [Entry]

    public init(target: String, list: @escaping @Sendable () throws -> [Entry]) {
        self.target = target
        self.list = list
    }
}

/// The backups: each one's status and size, and the age of the newest verified one.
enum BackupsPage {
    /// Loads what the page shows through the stores of the modules that own it, and renders it.
    static func respond(_ app: ConsoleApp, _ call: ConsoleCall) -> HTTPServerResponse {
        let listed = Result { () throws(any Error) -> [ConsoleBackups.Entry] in try app.backups?.list() ?? [] }
        return ConsolePage.response(
            title: "Backups", session: app.signed(call.session), body: BackupsPage.body(target: app.backups?.target, entries: listed))
    }

    static func body(target: String?, entries: Result<[ConsoleBackups.Entry], any Error>, now: Date = Date()) -> HTML {
        guard let target else {
            return """
                <p class="message">No backup target is configured: set CALWORKER_BACKUP_TARGET (s3://bucket/prefix/ or
                file:///path/) where the console runs to list the backups here.</p>
                """
        }
        let found: [ConsoleBackups.Entry]
        switch entries {
        case .failure(let error):
            return """
                <p>Target: <code>\(target)</code></p>
                <p class="message">The store did not list the backups (\(ConsoleFormat.clip(String(describing: error), 300)));
                check its credentials and reachability, then reload.</p>
                """
        case .success(let entries):
            found = entries
        }
        let newest: HTML =
            found.last(where: { $0.status == "verified" }).map { entry in
                "<p>Newest verified backup: \(entry.id), made \(ConsoleFormat.seconds(now.timeIntervalSince(entry.createdAt))) ago.</p>"
            } ?? "<p class=\"message\">No backup here has passed its restore test.</p>"
        let rows = found.reversed().map { entry -> HTML in
            """
            <tr><td>\(entry.id)</td><td>\(ConsoleFormat.time(entry.createdAt))</td>
            <td class="outcome-\(entry.status == "verified" ? "completed" : entry.status == "failed" ? "failed" : "")">\(entry.status)</td>
            <td>\(entry.bytes.map(ConsoleFormat.bytes))</td><td>\(ConsoleFormat.time(entry.verifiedAt))</td>
            <td class="error">\(ConsoleFormat.clip(entry.error))</td></tr>
            """
        }
        return """
            <p>Target: <code>\(target)</code>. Read from the store itself, newest first.</p>
            \(newest)
            <table><thead><tr><th>Backup</th><th>Made</th><th>Status</th><th>Size</th><th>Verified</th><th>Error</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }
}
