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

    /// Grants `role` what a worker needs; idempotent, so every `migrate` may run it again and
    /// cover the tables of the steps it applied. Runs in the caller's transaction.
    ///
    /// Refuses a role that does not exist, the connected role itself, and a superuser or the
    /// schema's owner (grants would mean nothing to them).
    public static func grant(to role: String, on db: PostgresConnection) throws {
        let facts = try db.query(
            """
            SELECT r.rolsuper, r.rolname = current_user, r.oid = n.nspowner
              FROM pg_roles r, pg_namespace n
             WHERE r.rolname = $1 AND n.nspname = 'calworker'
            """, [role])
        guard let row = facts.first else {
            throw Refusal(description: "role '\(role)' does not exist; create it first (CREATE ROLE ... LOGIN, see runbooks/database-roles.md)")
        }
        if try row.decode(Bool.self, at: 1) || row.decode(Bool.self, at: 2) {
            throw Refusal(
                description: "'\(role)' owns the calworker schema or is the role running migrate; "
                    + "name the separate role workers connect as")
        }
        if try row.decode(Bool.self, at: 0) {
            throw Refusal(description: "'\(role)' is a superuser; workers should connect as a role without special rights")
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
