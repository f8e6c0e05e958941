#!/usr/bin/env bash
# Starts the machine's Debian Postgres cluster (if it is down) and makes sure the indexer's test
# role and database exist; prints the DATABASE_URL to use. Idempotent; run as root (CI, dev box).
# The indexer tests run their Postgres case with it and skip (with this script's error) without it.
set -euo pipefail
command -v pg_lsclusters >/dev/null 2>&1 || { echo "pg_lsclusters not found: install Debian's postgresql" >&2; exit 2; }
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1) || true
[ -n "${version:-}" ] || { echo "no Postgres cluster (pg_createcluster 15 main)" >&2; exit 2; }
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$cluster" start >&2
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi; }
user=rigel_indexer
db=rigel_indexer
as_postgres psql -p "$port" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$user'" | grep -q 1 ||
  as_postgres psql -p "$port" -qc "CREATE ROLE $user LOGIN PASSWORD '$user'" >&2
as_postgres psql -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 ||
  as_postgres psql -p "$port" -qc "CREATE DATABASE $db OWNER $user" >&2
echo "postgres://$user:$user@127.0.0.1:$port/$db"
