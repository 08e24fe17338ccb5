#!/usr/bin/env bash
# `make seed` / `make plan`: run the seeder (apply, or the verb given) against this
# checkout's running stack: inside compose when its compose stack is up, else
# locally against its endpoint (scripts/endpoint.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
if [ -z "${AWS_ENDPOINT_URL:-}" ] && ! .venv/bin/python -m devstack endpoint >/dev/null &&
  docker compose ps --status running --quiet moto 2>/dev/null | grep -q .; then
  exec docker compose run --rm seed python3 -m seed "$@"
fi
endpoint=$(scripts/endpoint.sh)
STACK_TARGET=local AWS_ENDPOINT_URL=$endpoint \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test exec .venv/bin/python -m seed "$@"
