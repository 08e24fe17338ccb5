#!/usr/bin/env bash
# `make up`: the stack, up, healthy and seeded, then where to go next.
#
# With a Docker engine and compose v2: `docker compose up --build --wait`.
# Without: the same stack as local processes in the background (what `make dev`
# runs, detached), state and logs under .data/. This script installs nothing
# and starts no daemon: setting up Docker is the user's choice (README).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
if .venv/bin/python -m devstack endpoint >/dev/null; then
  echo "a local stack of this checkout already runs: make ps | make down"
  exit 0
fi

if ! docker info >/dev/null 2>&1; then
  missing="no Docker engine answers"
elif ! docker compose version >/dev/null 2>&1; then
  missing="Docker has no compose v2 plugin"
else
  missing=""
fi

if [ -z "$missing" ]; then
  scripts/compose.sh up --build --wait "$@"
else
  echo "make up: $missing, so the stack runs as local processes instead (state and logs in .data/)"
  .venv/bin/python -m devstack up
fi
gateway="http://localhost:${GATEWAY_PORT:-8080}"
cat <<EOT

motostack is up and seeded.
  shop       $gateway/   (the event flow at /flow, the emulated AWS at /aws)
  API        $gateway/api/catalog/products?limit=5
  orders     $gateway/api/orders (writes: X-API-Key: ${DEMO_API_KEY:-motostack-local-demo-key})
  API docs   $gateway/docs
  AWS        http://localhost:${MOTO_PORT:-4566}   (AWS_ENDPOINT_URL for the aws CLI and boto3)
Next: make logs | make ps | make down
      AWS_ENDPOINT_URL=http://localhost:${MOTO_PORT:-4566} make e2e STACK_URL=$gateway
EOT
