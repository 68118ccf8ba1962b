#!/usr/bin/env bash
# A local PostgreSQL server for the PostgreSQL tests: install (Debian), start, create a
# role and a database, print the URL. Idempotent and quiet: run it as often as you like.
#
#   eval "$(bash scripts/ci_postgres.sh)"     # exports KB_TEST_PG_URL
#   .venv/bin/pytest tests/test_postgres.py -q
#
# The database is created with the C collation so that ORDER BY on text compares
# code points, as SQLite does: the same queries then return rows in the same order.
# Its character classes (LC_CTYPE) stay the cluster's, normally a UTF-8 locale, which
# the full-text parser uses to tell letters from punctuation.
# Only 127.0.0.1 is used; the password is a throwaway for a CI-only server.
set -euo pipefail

PG_USER="${KB_PG_USER:-kb}"
PG_PASSWORD="${KB_PG_PASSWORD:-kb}"
PG_DB="${KB_PG_DB:-kb_test}"
PG_PORT="${KB_PG_PORT:-5432}"

quiet() { "$@" >/dev/null 2>&1; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "ci_postgres: PostgreSQL is not installed and this is not root" >&2
        exit 1
    fi
    quiet apt-get update
    DEBIAN_FRONTEND=noninteractive quiet apt-get install -y --no-install-recommends postgresql
fi

# The newest installed major version, and its first cluster (create one if there is none).
VERSION="$(ls /usr/lib/postgresql | sort -n | tail -1)"
CLUSTER="$(pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" '$1 == v {print $2; exit}')"
if [ -z "$CLUSTER" ]; then
    CLUSTER=main
    quiet pg_createcluster "$VERSION" "$CLUSTER" --port "$PG_PORT"
fi
PORT="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $3}')"
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $4}' | grep -q online; then
    quiet pg_ctlcluster "$VERSION" "$CLUSTER" start
fi
for _ in $(seq 1 30); do
    if quiet pg_isready -h 127.0.0.1 -p "$PORT"; then break; fi
    sleep 1
done
if ! quiet pg_isready -h 127.0.0.1 -p "$PORT"; then
    echo "ci_postgres: PostgreSQL $VERSION/$CLUSTER did not start on port $PORT" >&2
    exit 1
fi

as_postgres() { (cd / && runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -qtA "$@"); }

if [ "$(as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != "1" ]; then
    as_postgres -c "CREATE ROLE \"$PG_USER\" LOGIN PASSWORD '$PG_PASSWORD'" >/dev/null
fi
if [ "$(as_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
    as_postgres -c "CREATE DATABASE \"$PG_DB\" OWNER \"$PG_USER\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C'" >/dev/null
fi

echo "export KB_TEST_PG_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PORT/$PG_DB"
