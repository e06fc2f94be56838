#!/bin/sh
# Creates the domain store's role and database beside Temporal's, on the first start of an
# empty PostgreSQL volume (the image runs /docker-entrypoint-initdb.d only then). On a volume
# made before this file existed, run it once by hand (docs/deploy.md):
#   docker compose exec postgresql sh /docker-entrypoint-initdb.d/10-accredit.sh
# The worker's migrations create the tables; the role owns only its own database, so a
# worker's credentials reach nothing of Temporal's.
set -eu
: "${ACCREDIT_DB_PASSWORD:?set ACCREDIT_DB_PASSWORD for the accredit role}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$ACCREDIT_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE accredit LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'accredit')\gexec
ALTER ROLE accredit LOGIN PASSWORD :'password';
SELECT 'CREATE DATABASE accredit OWNER accredit' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'accredit')\gexec
REVOKE ALL ON DATABASE accredit FROM PUBLIC;
SQL
