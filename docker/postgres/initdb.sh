#!/bin/sh
# Runs once, when the compose stack's PostgreSQL starts on an empty data volume (the image's
# /docker-entrypoint-initdb.d convention): creates calworker's owner, worker and backup roles
# with the passwords from their secrets. An existing volume is left alone; see
# runbooks/database-roles.md to add the roles to one.
set -eu
secret() { tr -d '\r\n' < "/run/secrets/$1"; }
psql --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner=calworker_owner -v worker=calworker_worker -v backup=calworker_backup \
    -v owner_password="$(secret db_owner_password)" \
    -v worker_password="$(secret db_worker_password)" \
    -v backup_password="$(secret db_backup_password)" \
    -v database="$POSTGRES_DB" \
    -f /etc/calworker/calworker-roles.sql
