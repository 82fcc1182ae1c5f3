-- calworker's three database roles, run once by a superuser (docker/postgres/initdb.sh does so
-- when the compose stack's PostgreSQL starts on an empty volume; runbooks/database-roles.md
-- shows it by hand). psql variables: owner, worker, backup (role names), their passwords
-- owner_password, worker_password, backup_password, and database (calworker's database).
--
--   owner   owns the database and the calworker schema; only `calworker migrate` connects as it.
--   worker  workers, the scheduler, the console, operators' commands: rows and functions of
--           the schema, granted by `calworker migrate --worker-role`; owns nothing, so it
--           cannot DROP, TRUNCATE or ALTER, and reads nothing outside the schema.
--   backup  the backup job's connection (CALWORKER_BACKUP_DATABASE_URL): reads every table
--           (pg_read_all_data) for pg_dump, and may create the scratch database a backup is
--           verified in.
\set ON_ERROR_STOP on

CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"worker" LOGIN PASSWORD :'worker_password';
CREATE ROLE :"backup" LOGIN CREATEDB PASSWORD :'backup_password';
GRANT pg_read_all_data TO :"backup";

ALTER DATABASE :"database" OWNER TO :"owner";
-- Nobody else connects to calworker's database or creates objects in its public schema.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO :"worker", :"backup";
\connect :"database"
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
