#!/bin/sh
# Creates or upgrades Temporal's two databases to the schema of the admin-tools image's
# release, which docker-compose.yml keeps equal to the server's. Every command is a no-op
# when its work is done, so this runs on every `docker compose up`.
set -eu
sql() { temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u "$POSTGRES_USER" "$@"; }
schema=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  sql --db "$db" create
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$schema/$dir/versioned"
done
