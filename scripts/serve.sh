#!/bin/sh
# Installs what ketnav needs into .venv and serves the site on http://127.0.0.1:8000
# (embedded SQLite database in the per-user data directory unless KETNAV_DATABASE_URL says otherwise).
. "$(dirname "$0")/bootstrap.sh"
exec ketnav serve "$@"
