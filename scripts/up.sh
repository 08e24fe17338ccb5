#!/usr/bin/env bash
# `make up`: build, start and wait until every service is healthy and seeded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

"$here/compose.sh" up --build --wait "$@"
gateway="http://localhost:${GATEWAY_PORT:-8080}"
cat <<EOT

motostack is up and seeded.
  shop       $gateway/   (the event flow at /flow, the emulated AWS at /aws)
  API        $gateway/api/catalog/products?limit=5
  orders     $gateway/api/orders (writes: X-API-Key: ${DEMO_API_KEY:-motostack-local-demo-key})
  API docs   $gateway/docs
  AWS        http://localhost:${MOTO_PORT:-4566}   (AWS_ENDPOINT_URL for the aws CLI and boto3)
Next: make logs | make ps | make e2e STACK_URL=$gateway | make down
EOT
