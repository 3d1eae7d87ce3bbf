#!/bin/sh
# Installs what the tests need into .venv and runs the whole suite.
# SQLite by default; set KETNAV_TEST_DATABASE_URL=postgresql://... to run the same suite on PostgreSQL.
# Browser tests use Debian's chromium; when it is missing and we are root, it is installed with apt.
. "$(dirname "$0")/bootstrap.sh"
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ketnav: installing Debian's chromium for the browser tests" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
cd "$KETNAV_ROOT"
exec python -m pytest "$@"
