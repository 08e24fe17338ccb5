#!/usr/bin/env bash
# `docker compose "$@"`, after making sure an engine runs and a base image exists.
#
# PYTHON_IMAGE (default python:3.11-slim) is used when it can be had; where no
# registry answers, scripts/base-image.sh builds a local one and we use that.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

"$here/docker-engine.sh"
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
