#!/usr/bin/env bash
# `make test`: lint, unit tests, the e2e suite on local processes, then on compose.
#
# The compose stage runs when a Docker engine answers. REQUIRE_DOCKER=1 turns
# "no engine" from a skip into a failure (CI sets it). The e2e suite's browser
# tests need Chromium; without it they are skipped, or fail with REQUIRE_BROWSER=1.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n==> %s\n' "$*"; }

scripts/bootstrap.sh
stage "lint"
scripts/lint.sh
stage "unit tests"
.venv/bin/pytest -q tests
stage "durable Moto: persistence matrix, crash loop, corruption"
.venv/bin/pytest -q moto/tests
stage "durable Moto against Moto's own server-mode tests (plain moto_server side by side)"
scripts/moto-upstream-tests.sh
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 &&
  [ -z "${CHROMIUM:-}" ]; then
  echo "note: no Chromium, so the demo's browser tests will be skipped;" \
    "install it with: sudo apt-get install -y chromium" >&2
fi
stage "e2e suite against local processes"
E2E_STACK=local .venv/bin/pytest -q e2e

stage "e2e suite against the compose stack"
if docker info >/dev/null 2>&1; then
  E2E_STACK=compose .venv/bin/pytest -q e2e
elif [ "${REQUIRE_DOCKER:-0}" = 1 ]; then
  echo "no Docker engine answers and REQUIRE_DOCKER=1: failing (scripts/docker-engine.sh starts one)" >&2
  exit 1
else
  echo "SKIPPED: no Docker engine answers (set REQUIRE_DOCKER=1 to fail instead)"
fi
