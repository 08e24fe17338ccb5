#!/usr/bin/env bash
# Create or refresh .venv from requirements/dev.lock; a no-op when it is current.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
lock=requirements/dev.lock
stamp=$venv/.installed-lock

python=""
for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
  [ -n "$candidate" ] || continue
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$candidate
    break
  fi
done
[ -n "$python" ] || { echo "bootstrap: Python 3.11 or newer is needed (set PYTHON=...)" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
  echo "bootstrap: creating $venv with $python" >&2
  "$python" -m venv "$venv"
fi
if ! cmp -s "$lock" "$stamp"; then
  echo "bootstrap: installing $lock into .venv (a few minutes the first time)" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock"
  # durable Moto (moto/) runs from its source tree: edits take effect at once.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e moto
  cp "$lock" "$stamp"
fi
# durable Moto's bytecode, compiled ahead (a no-op when current): where
# PYTHONDONTWRITEBYTECODE is set, every server start compiled it again.
"$venv/bin/python" -m compileall -q moto/src >/dev/null
