#!/usr/bin/env bash
# `make test`: lint, unit tests, durable Moto's tests, the e2e suite on local
# processes, then on compose.
#
# Three lanes run side by side, since most of their time is spent waiting on
# servers and processes rather than computing: (1) lint, the services' unit
# tests, e2e on local processes; (2) durable Moto's own tests; (3) the tests of
# the tooling (scripts, seeder, devstack, scaffold: they start stacks), then Moto's
# server-mode tests against durable Moto. With a Docker engine the compose
# images build meanwhile, and the e2e suite then runs on compose. Each lane's
# output is printed whole when it ends.
#
# The compose stage runs when a Docker engine answers. REQUIRE_DOCKER=1 turns
# "no engine" from a skip into a failure (CI sets it). The e2e suite's browser
# tests need Chromium; without it they are skipped, or fail with REQUIRE_BROWSER=1.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n==> %s\n' "$*"; }
logs=$(mktemp -d)
declare -A pids
trap 'rm -rf "$logs"' EXIT

scripts/bootstrap.sh
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 &&
  [ -z "${CHROMIUM:-}" ]; then
  echo "note: no Chromium, so the demo's browser tests will be skipped;" \
    "install it with: sudo apt-get install -y chromium" >&2
fi
docker_ok=0
if docker info >/dev/null 2>&1; then
  docker_ok=1
elif [ "${REQUIRE_DOCKER:-0}" = 1 ]; then
  echo "no Docker engine answers and REQUIRE_DOCKER=1: failing (scripts/docker-engine.sh starts one)" >&2
  exit 1
fi

tooling=(tests/scripts tests/seed tests/devstack tests/scaffold)
app_lane() {
  stage "lint" && scripts/lint.sh &&
    stage "unit tests: services" &&
    .venv/bin/pytest -q tests "${tooling[@]/#/--ignore=}" &&
    stage "e2e suite against local processes" && E2E_STACK=local .venv/bin/pytest -q e2e
}
moto_lane() {
  stage "durable Moto: persistence matrix, crash loop, corruption" && .venv/bin/pytest -q moto/tests
}
tooling_lane() {
  stage "unit tests: scripts, seeder, devstack, scaffold" && .venv/bin/pytest -q "${tooling[@]}" &&
    stage "durable Moto against Moto's own server-mode tests (plain moto_server side by side)" &&
    scripts/moto-upstream-tests.sh
}
images() { stage "compose images" && scripts/compose.sh build --quiet; }

lanes=(app moto tooling)
for lane in "${lanes[@]}"; do
  "${lane}_lane" >"$logs/$lane" 2>&1 &
  pids[$lane]=$!
done
if [ "$docker_ok" = 1 ]; then
  images >"$logs/images" 2>&1 &
  pids[images]=$!
  lanes+=(images)
fi

failed=0
for lane in "${lanes[@]}"; do
  wait "${pids[$lane]}" || failed=1
  cat "$logs/$lane"
done
[ "$failed" = 0 ] || { echo "make test: a stage failed (see above)" >&2; exit 1; }

stage "e2e suite against the compose stack"
if [ "$docker_ok" = 1 ]; then
  E2E_STACK=compose .venv/bin/pytest -q e2e
else
  echo "SKIPPED: no Docker engine answers (set REQUIRE_DOCKER=1 to fail instead)"
fi
