#!/usr/bin/env bash
# `make seed` / `make plan`: run the seeder (apply, or the verb given) against the running stack: inside compose when the
# compose stack is up, else locally against AWS_ENDPOINT_URL (default: the
# local Moto on MOTO_PORT, which is also where compose publishes it).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${AWS_ENDPOINT_URL:-}" ] &&
  docker compose ps --status running --quiet moto 2>/dev/null | grep -q .; then
  exec docker compose run --rm seed python3 -m seed "$@"
fi
scripts/bootstrap.sh
STACK_TARGET=local AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:${MOTO_PORT:-4566}} \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test exec .venv/bin/python -m seed "$@"
