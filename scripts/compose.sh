#!/usr/bin/env bash
# `docker compose "$@"` for this checkout's stack, after making sure a base image exists.
#
# The project name is compose's default (this checkout's directory) unless
# COMPOSE_PROJECT_NAME says otherwise, so two checkouts are two stacks.
# PYTHON_IMAGE (default python:3.11-slim) is used when it can be had; where no
# registry answers, scripts/base-image.sh builds a local one and we use that.
# Nothing is installed here: without an engine this says how to get one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if ! docker info >/dev/null 2>&1 || ! docker compose version >/dev/null 2>&1; then
  echo "compose: no Docker engine with compose v2 answers. Start Docker, or install one:" \
    "scripts/docker-engine.sh (Debian, as root; says what it installs). Without Docker: make dev" >&2
  exit 1
fi
for arg in "$@"; do
  case "$arg" in
    up | build | watch)
      PYTHON_IMAGE=$("$here/base-image.sh")
      export PYTHON_IMAGE
      break
      ;;
  esac
done
exec docker compose --project-directory "$here/.." "$@"
