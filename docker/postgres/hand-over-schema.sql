-- Hands an existing calworker schema, made before the roles by the superuser or any other
-- role, to the owner role (:owner), so `calworker migrate --worker-role` works from then on.
-- REASSIGN OWNED cannot do it when the old owner is the cluster's bootstrap superuser (it
-- owns the system catalogs too); this changes the schema and each object in it, by name.
-- Run as a superuser in calworker's database; idempotent. See runbooks/database-roles.md.
\set ON_ERROR_STOP on
SELECT set_config('calworker.new_owner', :'owner', false);
DO $$
DECLARE
    new_owner text := current_setting('calworker.new_owner');
    object record;
BEGIN
    EXECUTE format('ALTER SCHEMA calworker OWNER TO %I', new_owner);
    -- Tables, partitions included (their indexes and identity sequences follow them).
    FOR object IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'calworker' AND c.relkind IN ('r', 'p', 'v', 'm') LOOP
        EXECUTE format('ALTER TABLE calworker.%I OWNER TO %I', object.relname, new_owner);
    END LOOP;
    -- Sequences no column owns (a bigserial's and an identity's went with their table).
    FOR object IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'calworker' AND c.relkind = 'S'
                     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                                                                AND d.deptype IN ('a', 'i')) LOOP
        EXECUTE format('ALTER SEQUENCE calworker.%I OWNER TO %I', object.relname, new_owner);
    END LOOP;
    FOR object IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = 'calworker' LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %I', object.signature, new_owner);
    END LOOP;
END
$$;
