#!/bin/bash
# The streaming replica: on first start, copy the primary with pg_basebackup (-R writes the standby
# settings), then run PostgreSQL as a hot standby. Later starts resume streaming from where it was.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -U "$POSTGRES_USER"; do sleep 2; done
  rm -rf "${PGDATA:?}"/*
  PGPASSWORD="$POSTGRES_PASSWORD" pg_basebackup -h "$PRIMARY_HOST" -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
