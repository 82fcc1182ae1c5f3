public import Postgres

extension BackupSettings {
    /// Runs `body` on the connection backups are made and verified with: its own
    /// (`databaseURL`) when one is configured, closed afterwards, else `fallback`.
    ///
    /// Workers may connect as a role that reads only calworker's tables and cannot create
    /// databases; pg_dump must read every table and verification creates a scratch database,
    /// so a deployment with least-privilege roles gives backups a role of their own.
    /// A permission PostgreSQL refused (reading a table, creating the scratch database) fails
    /// with what to configure.
    public func withSession<T>(fallback: PostgresConnection, _ body: (PostgresConnection) throws -> T) throws -> T {
        func run(_ db: PostgresConnection) throws -> T {
            do {
                return try body(db)
            } catch let error as PostgresError where error.sqlState == "42501" {
                throw BackupError(.failed, "\(error.message) (\(Self.permissionHint))")
            }
        }
        guard let databaseURL else { return try run(fallback) }
        let session: PostgresConnection
        do {
            session = try PostgresConnection.connect(databaseURL, preparedStatements: false, timeouts: fallback.timeouts)
        } catch {
            throw BackupError(.failed, "cannot connect with CALWORKER_BACKUP_DATABASE_URL: \(error.message)")
        }
        defer { session.close() }
        return try run(session)
    }

    /// What to do about a permission PostgreSQL refused a backup, in words.
    static let permissionHint =
        "the backup's role lacks a permission: set CALWORKER_BACKUP_DATABASE_URL to a role that reads "
        + "every table (pg_read_all_data) and may create databases (CREATEDB); see runbooks/database-roles.md"
}
