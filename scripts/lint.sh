#!/usr/bin/env bash
# ruff (lint and format) and mypy over everything we write.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
