#!/bin/bash
# Runs once when the primary's data folder is created (docker-entrypoint-initdb.d): lets the replica
# connect for streaming replication with the same password-checked account.
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
