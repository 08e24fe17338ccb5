#!/usr/bin/env bash
# `make snapshot-save|snapshot-load|snapshot-list`: named state archives of the
# running stack's durable Moto (compose or local: both answer on MOTO_PORT).
#
#   snapshot.sh save NAME   export the whole emulated AWS state to snapshots/NAME.dms
#   snapshot.sh load NAME   replace the running state with snapshots/NAME.dms
#   snapshot.sh list        the saved archives
set -euo pipefail
cd "$(dirname "$0")/.."

url=${AWS_ENDPOINT_URL:-http://127.0.0.1:${MOTO_PORT:-4566}}
folder=${SNAPSHOT_DIR:-snapshots}
action=${1:-}
name=${2:-}

need_name() {
  [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "snapshot: give NAME=... (letters, digits, . _ -)" >&2; exit 2; }
}

case "$action" in
  save)
    need_name
    scripts/bootstrap.sh
    .venv/bin/durable-moto export "$folder/$name.dms" --url "$url"
    ;;
  load)
    need_name
    [ -f "$folder/$name.dms" ] || { echo "snapshot: no $folder/$name.dms (make snapshot-list)" >&2; exit 2; }
    scripts/bootstrap.sh
    .venv/bin/durable-moto import "$folder/$name.dms" --url "$url"
    ;;
  list)
    ls -1sh "$folder"/*.dms 2>/dev/null || echo "no snapshots in $folder/ yet: make snapshot-save NAME=..."
    ;;
  *)
    echo "usage: snapshot.sh save|load NAME | list" >&2
    exit 2
    ;;
esac
