#!/usr/bin/env bash
# `make bench` / `make bench-moto`: benchmarks, never part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/bench.lock

# MiniStack, the peer measured side by side, lives in a virtualenv of its own.
peer=.data/ministack-venv
peer_lock=requirements/ministack.lock
if ! cmp -s "$peer_lock" "$peer/.installed-lock"; then
  .venv/bin/python -m venv "$peer"
  "$peer/bin/python" -m pip install --quiet --disable-pip-version-check -r "$peer_lock"
  cp "$peer_lock" "$peer/.installed-lock"
fi

case "${1:-all}" in
  moto) .venv/bin/python bench/moto_bench.py "${@:2}" ;;
  scale) .venv/bin/python bench/scale_bench.py "${@:2}" ;;
  shop) PYTHONPATH=. .venv/bin/python bench/shop_bench.py "${@:2}" ;;
  all)
    .venv/bin/python bench/moto_bench.py
    .venv/bin/python bench/scale_bench.py
    PYTHONPATH=. .venv/bin/python bench/shop_bench.py
    ;;
  *) echo "bench: unknown benchmark ${1}" >&2; exit 2 ;;
esac
.venv/bin/python bench/report.py
