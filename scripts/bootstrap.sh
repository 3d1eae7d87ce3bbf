# Sourced by scripts/serve.sh and scripts/test.sh: makes .venv and installs the locked
# dependencies plus ketnav itself, skipping the work when the lock file has not changed.
set -eu
KETNAV_ROOT="${KETNAV_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
VENV="${KETNAV_VENV:-$KETNAV_ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "ketnav: creating virtual environment in $VENV" >&2
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    # Debian ships venv separately (python3-venv); fall back to virtualenv from PyPI.
    rm -rf "$VENV"
    "$PYTHON" -m pip install --quiet --user virtualenv
    "$PYTHON" -m virtualenv --quiet "$VENV"
  fi
fi

STAMP="$VENV/.ketnav-lock.sha256"
WANT=$(cat "$KETNAV_ROOT/requirements.lock" "$KETNAV_ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "ketnav: installing locked dependencies (first run takes a minute)" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$KETNAV_ROOT/requirements.lock"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$KETNAV_ROOT"
  echo "$WANT" > "$STAMP"
fi
PATH="$VENV/bin:$PATH"
export PATH
