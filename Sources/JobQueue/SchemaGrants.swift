public import Basics
public import Postgres

/// What a least-privilege worker role may do in the `calworker` schema, granted by the schema's
/// owner (`calworker migrate --worker-role ROLE`).
///
/// A worker, the scheduler, the console and the operators' commands read and write rows and
/// call the schema's functions; none of them creates, alters, drops or truncates anything.
/// So the role they connect as gets exactly that: rows of every table (the applied migrations
/// read-only), the sequences behind the ids, and the functions, the two that make and drop
/// history partitions running with the owner's rights (schema 16). Default privileges extend
/// the same to what the owner creates later: the history's new days, a later version's tables.
/// A role that owns nothing cannot `DROP` or `TRUNCATE`, and sees no table outside the schema
/// that was not granted to it.
public enum SchemaGrants {
    /// Why a grant was refused.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Predefined roles whose members read or write every table, or the server's files and
    /// programs: a worker that is one of them would have the rights the grants withhold.
    public static let powerfulPredefinedRoles = [
        "pg_read_all_data", "pg_write_all_data", "pg_read_server_files", "pg_write_server_files", "pg_execute_server_program",
    ]

    /// Grants `role` what a worker needs; idempotent, so every `migrate` may run it again and
    /// cover the tables of the steps it applied. Runs in the caller's transaction.
    ///
    /// Refuses a role for which the grants would mean nothing, so that least privilege is not
    /// only written down: one that does not exist; the connected role itself; the schema's
    /// owner or any role that is a member of it (it could `SET ROLE` and drop the tables) or of
    /// the connected role; a superuser; a predefined `pg_` role, or a member of one that reads
    /// or writes all data or the server's files; a role with CREATEROLE (which can grant
    /// itself the owner), BYPASSRLS or REPLICATION.
    public static func grant(to role: String, on db: PostgresConnection) throws {
        let facts = try db.query(
            """
            SELECT r.rolsuper, r.rolname = current_user, r.oid = n.nspowner,
                   pg_has_role(r.oid, n.nspowner, 'MEMBER') OR pg_has_role(r.oid, current_user, 'MEMBER'),
                   r.rolname ~ '^pg_',
                   coalesce((SELECT string_agg(p.rolname, ', ' ORDER BY p.rolname) FROM pg_roles p
                              WHERE p.rolname = ANY($2) AND pg_has_role(r.oid, p.oid, 'MEMBER')), ''),
                   concat_ws(', ', CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END, CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END,
                             CASE WHEN r.rolreplication THEN 'REPLICATION' END),
                   (SELECT o.rolname FROM pg_roles o WHERE o.oid = n.nspowner)
              FROM pg_roles r, pg_namespace n
             WHERE r.rolname = $1 AND n.nspname = 'calworker'
            """, [role, powerfulPredefinedRoles])
        guard let row = facts.first else {
            throw Refusal(description: "role '\(role)' does not exist; create it first (CREATE ROLE ... LOGIN, see runbooks/database-roles.md)")
        }
        let owner: String = try row.decode(at: 7)
        if try row.decode(Bool.self, at: 1) || row.decode(Bool.self, at: 2) {
            throw Refusal(
                description: "'\(role)' owns the calworker schema or is the role running migrate; "
                    + "name the separate role workers connect as")
        }
        if try row.decode(Bool.self, at: 0) {
            throw Refusal(description: "'\(role)' is a superuser; workers should connect as a role without special rights")
        }
        if try row.decode(Bool.self, at: 3) {
            throw Refusal(
                description: "'\(role)' is a member of the schema's owner \(owner) (or of the role running migrate), so it could "
                    + "SET ROLE and drop the tables; revoke that membership (REVOKE \(owner) FROM \(role)) or name another role")
        }
        if try row.decode(Bool.self, at: 4) {
            throw Refusal(description: "'\(role)' is one of PostgreSQL's predefined roles; workers need a role of their own")
        }
        let predefined: String = try row.decode(at: 5)
        if !predefined.isEmpty {
            throw Refusal(
                description: "'\(role)' is a member of \(predefined), which reads or writes every table or the server's files; "
                    + "revoke it (REVOKE \(predefined) FROM \(role)): backups have a role of their own for that")
        }
        let attributes: String = try row.decode(at: 6)
        if !attributes.isEmpty {
            throw Refusal(
                description: "'\(role)' has \(attributes), more than a worker may have (CREATEROLE can grant itself the owner); "
                    + "ALTER ROLE \(role) NOCREATEROLE NOBYPASSRLS NOREPLICATION")
        }
        // Identifiers cannot be bound parameters: the server quotes the role's name (format %I).
        let statements = try db.query(
            """
            SELECT format(t, $1::text) FROM unnest(ARRAY[
                'GRANT USAGE ON SCHEMA calworker TO %I',
                'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA calworker TO %I',
                'REVOKE INSERT, UPDATE, DELETE ON calworker.schema_migrations FROM %I',
                'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA calworker TO %I',
                'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA calworker TO %I',
                'ALTER DEFAULT PRIVILEGES IN SCHEMA calworker GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
                'ALTER DEFAULT PRIVILEGES IN SCHEMA calworker GRANT USAGE, SELECT ON SEQUENCES TO %I',
                'ALTER DEFAULT PRIVILEGES IN SCHEMA calworker GRANT EXECUTE ON FUNCTIONS TO %I'
            ]) WITH ORDINALITY AS s(t, n) ORDER BY n
            """, [role]
        ).map { try $0.decode(String.self, at: 0) }
        for statement in statements { try db.execute(statement) }
    }
}

extension SchemaGrants.Refusal: CalworkerError {
    public var errorCode: String { "refused" }
    public var message: String { description }
    /// Refused for what was asked: the same request is refused again.
    public var isRetryable: Bool { false }
}
