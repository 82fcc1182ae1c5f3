import Foundation
import Postgres

/// pg_dump and pg_restore, pointed at the server a calworker session is connected to.
struct PostgresTools {
    let settings: BackupSettings

    /// The tool's environment: the password (if any) in `PGPASSWORD`, never on the command line.
    func environment(for target: PostgresConninfo) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = target["password"]
        environment["PGAPPNAME"] = "calworker-backup"
        return environment
    }

    func version(_ tool: String) -> String {
        guard
            let process = try? PipedProcess(
                [settings.tool(tool), "--version"], environment: ProcessInfo.processInfo.environment,
                pipeOutput: true)
        else { return "unknown" }
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = bytes.withUnsafeMutableBytes { (try? process.read(into: $0)) ?? 0 }
        process.wait()
        return String(decoding: bytes.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// pg_dump in custom format of `target` at `snapshot`, its output to be read from the pipe.
    func startDump(of target: PostgresConninfo, snapshot: String) throws(BackupError) -> PipedProcess {
        try PipedProcess(
            [
                settings.tool("pg_dump"), "--format=custom", "--no-password", "--snapshot=\(snapshot)",
                "--dbname=\(target.keyValueString(includingPassword: false))",
            ],
            environment: environment(for: target), pipeOutput: true)
    }

    /// pg_restore of the plain dump at `path` into `target`; `clean` drops what is there first.
    func restore(_ path: String, into target: PostgresConninfo, clean: Bool) throws(BackupError) {
        var arguments = [
            settings.tool("pg_restore"), "--no-password", "--no-owner", "--no-privileges", "--exit-on-error",
            "--jobs=\(settings.restoreJobs)", "--dbname=\(target.keyValueString(includingPassword: false))",
        ]
        if clean { arguments += ["--clean", "--if-exists"] }
        do {
            _ = try PipedProcess.run(arguments + [path], environment: environment(for: target))
        } catch {
            throw BackupError(.verificationFailed, "pg_restore could not restore the dump: \(error.message)")
        }
    }
}

/// Facts about a database, read the same way from the original and from a restored copy.
enum DatabaseFacts {
    /// Rows of every table outside PostgreSQL's own schemas, `schema.table` → count, in one
    /// statement (the counts are computed server-side; names are quoted there by `format('%I')`).
    static func rowCounts(on db: PostgresConnection) throws -> [String: Int64] {
        let rows = try db.query(
            """
            SELECT n.nspname || '.' || c.relname,
                   (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname),
                                                        false, true, '')))[1]::text::bigint
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
            """)
        var counts: [String: Int64] = [:]
        for row in rows { counts[try row.decode(String.self, at: 0)] = try row.decode(Int64.self, at: 1) }
        return counts
    }

    /// Whether the database holds any table, view, sequence or function of its own.
    static func isEmpty(on db: PostgresConnection) throws -> Bool {
        let rows = try db.query(
            """
            SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%')
                 + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%')
            """)
        return try rows[0].decode(Int64.self, at: 0) == 0
    }

    /// The first differences between two sets of counts, for an error message.
    static func differences(expected: [String: Int64], found: [String: Int64]) -> [String] {
        Set(expected.keys).union(found.keys).sorted().compactMap { table in
            let want = expected[table]
            let got = found[table]
            guard want != got else { return nil }
            return "\(table): \(want.map(String.init) ?? "absent") in the backup, \(got.map(String.init) ?? "absent") restored"
        }
    }
}
