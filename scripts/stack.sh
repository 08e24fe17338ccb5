#!/usr/bin/env bash
# `make down|logs|ps`: act on this checkout's stack, whichever kind `make up`
# started: local processes (.data/stack.json says so) or compose.
set -euo pipefail
cd "$(dirname "$0")/.."
verb=${1:?usage: stack.sh down|logs|ps}

scripts/bootstrap.sh
if .venv/bin/python -m devstack endpoint >/dev/null || [ -f "${MOTOSTACK_DATA_DIR:-.data}/stack.json" ]; then
  case "$verb" in
    down) exec .venv/bin/python -m devstack down ${V:+--volumes} ;;
    logs) exec .venv/bin/python -m devstack logs ;;
    ps) exec .venv/bin/python -m devstack ps ;;
  esac
fi
if ! docker info >/dev/null 2>&1; then
  echo "no stack of this checkout runs (no local processes, and no Docker engine answers)"
  [ "$verb" != logs ]
  exit
fi
case "$verb" in
  down) exec scripts/compose.sh down ${V:+--volumes} ;;
  logs) exec scripts/compose.sh logs --follow --tail 100 ;;
  ps) exec scripts/compose.sh ps --all ;;
  *) echo "usage: stack.sh down|logs|ps" >&2; exit 2 ;;
esac
