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

# The shop's benchmark goes with the example (`make remove-example`).
shop=bench/shop_bench.py
case "${1:-all}" in
  moto) .venv/bin/python bench/moto_bench.py "${@:2}" ;;
  scale) .venv/bin/python bench/scale_bench.py "${@:2}" ;;
  shop)
    if [ ! -f "$shop" ]; then
      echo "bench: the shop benchmark went with the example shop (make remove-example)" >&2
      exit 2
    fi
    PYTHONPATH=. .venv/bin/python "$shop" "${@:2}"
    ;;
  all)
    .venv/bin/python bench/moto_bench.py
    .venv/bin/python bench/scale_bench.py
    if [ -f "$shop" ]; then
      PYTHONPATH=. .venv/bin/python "$shop"
    else
      echo "bench: no example shop, so no shop benchmark"
    fi
    ;;
  *) echo "bench: unknown benchmark ${1}" >&2; exit 2 ;;
esac
.venv/bin/python bench/report.py
