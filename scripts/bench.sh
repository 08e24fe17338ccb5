#!/usr/bin/env bash
# `make bench` / `make bench-moto`: benchmarks, never part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/bench.lock
case "${1:-all}" in
  moto) .venv/bin/python bench/moto_bench.py "${@:2}" ;;
  shop) PYTHONPATH=. .venv/bin/python bench/shop_bench.py "${@:2}" ;;
  all)
    .venv/bin/python bench/moto_bench.py
    PYTHONPATH=. .venv/bin/python bench/shop_bench.py
    ;;
  *) echo "bench: unknown benchmark ${1}" >&2; exit 2 ;;
esac
