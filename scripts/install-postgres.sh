#!/usr/bin/env bash
# Installs Debian's PostgreSQL server and its ODBC driver (psqlODBC) for the extract tests (tests/it/extract.rs)
# and the extract benchmark. Does nothing when both are there. Needs root (or sudo) and Debian's package registry.
set -euo pipefail
have_any() { for f in "$@"; do [ -e "$f" ] && return 0; done; return 1; }
have_server() { have_any /usr/lib/postgresql/*/bin/initdb; }
have_driver() { have_any /usr/lib/*/odbc/psqlodbcw.so /usr/lib64/psqlodbcw.so; }
if have_server && have_driver; then
  echo "postgresql and psqlODBC already installed"
  exit 0
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo -n)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends postgresql odbc-postgresql >/dev/null
have_server && have_driver
