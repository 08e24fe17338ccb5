#!/usr/bin/env bash
# Print the Python base image to build on, making it exist first if needed.
#
# Uses $PYTHON_IMAGE when the engine has it or can pull it. Where no registry
# answers (air-gapped machines, some CI), builds a Debian bookworm image with
# Python 3.11 from the distribution's packages with debootstrap, adds the
# host's CA bundle (so pip works behind TLS-inspecting proxies) and imports it
# as $LOCAL_PYTHON_IMAGE. Debian's mirror is read from apt's own sources.
#
# debootstrap is installed on the host only when asked: --install-debootstrap
# (what .ci/run does); otherwise a missing one is an error that says so.
set -euo pipefail

install_debootstrap=0
[ "${1:-}" = --install-debootstrap ] && install_debootstrap=1

want="${PYTHON_IMAGE:-python:3.11-slim}"
local_image="${LOCAL_PYTHON_IMAGE:-motostack/python-base:bookworm}"
log() { echo "base-image: $*" >&2; }

if docker image inspect "$want" >/dev/null 2>&1; then echo "$want"; exit 0; fi
if timeout 60 docker pull -q "$want" >/dev/null 2>&1; then echo "$want"; exit 0; fi
log "cannot pull $want; using a locally built $local_image"
if docker image inspect "$local_image" >/dev/null 2>&1; then echo "$local_image"; exit 0; fi

if [ "$(id -u)" != 0 ]; then
  log "building $local_image needs root (debootstrap); or set PYTHON_IMAGE to an image you have"
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$install_debootstrap" != 1 ]; then
    log "debootstrap is not installed. scripts/base-image.sh --install-debootstrap installs" \
      "Debian's debootstrap package (apt-get) and builds $local_image; or set PYTHON_IMAGE"
    exit 1
  fi
  log "installing Debian's debootstrap package on this machine (apt-get install debootstrap)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$({ cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true; } \
    | awk '/^URIs:/ || /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }')
fi
[ -n "$mirror" ] || { log "no Debian mirror found in apt sources; set DEBIAN_MIRROR"; exit 1; }

rootfs=$(mktemp -d /tmp/motostack-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
log "debootstrap bookworm from $mirror (about a minute)"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  bookworm "$rootfs" "$mirror" >/dev/null
cat /etc/ssl/certs/ca-certificates.crt >"$rootfs/etc/ssl/certs/ca-certificates.crt"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$local_image" >/dev/null
log "built $local_image"
echo "$local_image"
