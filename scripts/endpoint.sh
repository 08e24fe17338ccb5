#!/usr/bin/env bash
# Print the AWS endpoint of this checkout's running stack, for `make seed`,
# `make plan`, `make reset` and `make snapshot-*`: AWS_ENDPOINT_URL when set,
# else the local stack's (.data/stack.json), else the port this checkout's
# compose project publishes. Never another checkout's stack on a default port.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
  echo "$AWS_ENDPOINT_URL"
  exit 0
fi
scripts/bootstrap.sh
.venv/bin/python -m devstack endpoint && exit 0
if published=$(docker compose port moto 4566 2>/dev/null) && [ -n "$published" ]; then
  echo "http://$published"
  exit 0
fi
echo "no stack of this checkout runs: make up (or set AWS_ENDPOINT_URL)" >&2
exit 1
