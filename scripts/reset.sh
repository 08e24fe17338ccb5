#!/usr/bin/env bash
# `make reset`: wipe all emulated AWS state, then seed again. Asks first unless YES=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
endpoint=$("$here/endpoint.sh")

if [ "${YES:-}" != 1 ]; then
  read -r -p "Delete every table, bucket and item at $endpoint and re-seed? [y/N] " answer
  case "$answer" in y | Y | yes) ;; *) echo "reset: nothing changed"; exit 1 ;; esac
fi
python3 - "$endpoint" <<'PY'
import sys, urllib.request
request = urllib.request.Request(f"{sys.argv[1]}/moto-api/reset", method="POST")
urllib.request.urlopen(request, timeout=10)
print(f"reset: emulated state at {sys.argv[1]} wiped")
PY
exec "$here/seed.sh"
