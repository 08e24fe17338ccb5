#!/usr/bin/env bash
# `make snapshot-save|snapshot-load|snapshot-list`: named state archives of the
# running stack's durable Moto.
#
#   snapshot.sh save NAME   export the whole emulated AWS state to snapshots/NAME.dms
#   snapshot.sh load NAME   replace the running state with snapshots/NAME.dms
#   snapshot.sh list        the saved archives
#
# Export and import need the server's admin token, which lives in its data
# directory. Compose stack up (and no AWS_ENDPOINT_URL): the CLI runs inside the
# moto container, where /data is. Otherwise the local server of MOTO_DATA_DIR
# (default .data/moto, where `make moto` and `make dev` keep it) is found through the
# address file it keeps there; with AWS_ENDPOINT_URL, that server is used with
# the token from MOTO_DATA_DIR or DURABLE_MOTO_ADMIN_TOKEN.
set -euo pipefail
cd "$(dirname "$0")/.."

folder=${SNAPSHOT_DIR:-snapshots}
action=${1:-}
name=${2:-}

need_name() {
  [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "snapshot: give NAME=... (letters, digits, . _ -)" >&2; exit 2; }
}

in_compose() {
  [ -z "${AWS_ENDPOINT_URL:-}" ] && docker compose ps --status running --quiet moto 2>/dev/null | grep -q .
}

# durable-moto export|import FILE, run where it can reach the server and its token.
durable_moto() {
  local verb=$1 file=$2
  if in_compose; then
    if [ "$verb" = export ]; then
      docker compose exec -T moto durable-moto export - >"$file.tmp" || { rm -f "$file.tmp"; exit 1; }
      mv "$file.tmp" "$file"
      echo "exported $(wc -c <"$file") bytes to $file"
    else
      docker compose exec -T moto durable-moto import - <"$file"
    fi
    return
  fi
  scripts/bootstrap.sh
  export MOTO_DATA_DIR=${MOTO_DATA_DIR:-${MOTOSTACK_DATA_DIR:-.data}/moto}
  if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
    .venv/bin/durable-moto "$verb" "$file" --url "$AWS_ENDPOINT_URL"
  else
    .venv/bin/durable-moto "$verb" "$file" --data-dir "$MOTO_DATA_DIR"
  fi
}

case "$action" in
  save)
    need_name
    umask 077 # an archive holds the whole state, its secrets too: owner-only, as Moto's files
    mkdir -p "$folder"
    durable_moto export "$folder/$name.dms"
    ;;
  load)
    need_name
    [ -f "$folder/$name.dms" ] || { echo "snapshot: no $folder/$name.dms (make snapshot-list)" >&2; exit 2; }
    durable_moto import "$folder/$name.dms"
    ;;
  list)
    ls -1sh "$folder"/*.dms 2>/dev/null || echo "no snapshots in $folder/ yet: make snapshot-save NAME=..."
    ;;
  *)
    echo "usage: snapshot.sh save|load NAME | list" >&2
    exit 2
    ;;
esac
