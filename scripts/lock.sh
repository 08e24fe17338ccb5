#!/usr/bin/env bash
# Re-resolve every lock file for Python 3.11 (the images' Python).
set -euo pipefail
cd "$(dirname "$0")/.."
compile() { UV_NATIVE_TLS=1 .venv/bin/uv pip compile --quiet --python-version 3.11 --no-header "$@"; }
compile pyproject.toml -o requirements/app.lock
compile pyproject.toml --extra dev -o requirements/dev.lock
compile pyproject.toml --extra dev --extra bench -o requirements/bench.lock
compile moto/pyproject.toml -o moto/requirements.lock
compile requirements/ministack.in -o requirements/ministack.lock
