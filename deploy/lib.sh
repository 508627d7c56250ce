# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this file
# Functions shared by deploy/setup.sh, install.sh, uninstall.sh and launch.sh (sourced, never run).
# Debian 12 / Ubuntu 22.04+; every function is idempotent.

# Packages each part of Tugboat needs on a host, as "package" or "package:command": a package
# whose command is already on PATH (e.g. dockerd from Docker's own docker-ce) is not installed.
# busybox-static: the agent builds its pause image from the static /usr/bin/busybox.
TUG_BASE_PACKAGES=(ca-certificates procps iproute2)
TUG_AGENT_PACKAGES=(docker.io:dockerd iptables:iptables-restore conntrack busybox-static)
TUG_SERVER_PACKAGES=(redis-server:redis-server)

# Paths of an installation (deploy/install.sh).
TUG_PREFIX=/opt/tugboat
TUG_ETC=/etc/tugboat
TUG_STATE=/var/lib/tugboat
TUG_LOGS=/var/log/tugboat
TUG_RUN=/run/tugboat
TUG_WRAPPER=/usr/local/bin/tug
TUG_UNIT_DIR=/etc/systemd/system
TUG_WRAPPER_MARK='installed by Tugboat deploy/install.sh'
TUG_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

tug_step() { printf '==> %s\n' "$*"; }
tug_note() { printf '    %s\n' "$*"; }
tug_warn() { printf 'warning: %s\n' "$*" >&2; }
tug_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

tug_require_root() {
  [ "$(id -u)" -eq 0 ] || tug_die "$1 must run as root (it installs packages and services): sudo $1 ${*:2}"
}

# Whether systemd is the init system (sd_booted(3)).
tug_has_systemd() { [ -d /run/systemd/system ]; }

# Installs the packages among "$@" ("package" or "package:command") that are missing.
tug_install_packages() {
  local entry pkg cmd missing=()
  for entry in "$@"; do
    pkg=${entry%%:*}
    cmd=${entry#*:}
    [ "$cmd" != "$entry" ] && command -v "$cmd" >/dev/null 2>&1 && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    tug_note "packages already installed"
    return 0
  fi
  command -v apt-get >/dev/null || tug_die "apt-get not found: install these packages yourself, then run again: ${missing[*]}"
  tug_note "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || tug_die "apt-get update failed: check the network and /etc/apt/sources.list, then run again"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
    tug_die "apt-get install ${missing[*]} failed (on Ubuntu, docker.io is in 'universe': add-apt-repository universe); fix it and run again"
}

tug_node_major() {
  local v
  v=$(node -v 2>/dev/null) || { echo 0; return; }
  v=${v#v}
  echo "${v%%.*}"
}

# Installs Node.js 20 from NodeSource when no node >= 20 is on PATH (the NodeSource package has npm).
tug_ensure_node() {
  if [ "$(tug_node_major)" -ge 20 ]; then
    tug_note "Node.js $(node -v) at $(command -v node)"
    return 0
  fi
  tug_note "installing Node.js 20 (NodeSource)"
  tug_install_packages curl
  if ! curl -fsSL https://deb.nodesource.com/setup_20.x | bash - >/dev/null ||
    ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs >/dev/null; then
    tug_die "installing Node.js 20 from deb.nodesource.com failed: install Node.js 20 or newer yourself (node and npm on PATH), then run again"
  fi
  [ "$(tug_node_major)" -ge 20 ] || tug_die "node on PATH is $(node -v 2>/dev/null || echo missing) after installing Node.js 20: put Node.js 20 or newer first on PATH, then run again"
}

tug_docker_answers() { docker info >/dev/null 2>&1; }

# Waits up to $1 seconds (default 30) for the Docker engine to answer.
tug_wait_docker() {
  local i
  for ((i = 0; i < ${1:-30} * 2; i++)); do
    tug_docker_answers && return 0
    sleep 0.5
  done
  return 1
}

# Reads KEY=VALUE lines (keys TUG_*, values optionally in double quotes; # comments) of an env
# file into shell variables of the same names. Other lines are ignored; nothing is evaluated.
tug_read_env() {
  local line key value
  [ -f "$1" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line =~ ^[[:space:]]*(TUG_[A-Z0-9_]+)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]}
    if [[ $value =~ ^\"(.*)\"$ ]]; then value=${BASH_REMATCH[1]}; fi
    printf -v "$key" '%s' "$value"
  done <"$1"
}

# The pid of the supervisor of service $1 (see supervise.sh) when it runs; fails otherwise.
tug_supervisor_pid() {
  local pid
  pid=$(cat "$TUG_RUN/$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q supervise.sh "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

# Stops the supervisor of service $1 and its process (SIGTERM; after $2 seconds, default 20, SIGKILL
# to its whole process group). Succeeds when none runs.
tug_stop_supervised() {
  local pid i
  pid=$(tug_supervisor_pid "$1") || { rm -f "$TUG_RUN/$1.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < ${2:-20} * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    tug_warn "$1 did not stop within ${2:-20} s: killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$TUG_RUN/$1.pid"
}

# Starts supervise.sh for service $1 in the background, detached from this terminal, with a clean
# environment as systemd would give it. Its log: $TUG_LOGS/$1.log.
tug_start_supervised() {
  mkdir -p "$TUG_RUN" "$TUG_LOGS"
  setsid env -i PATH="$TUG_PATH" HOME=/root LANG=C.UTF-8 "$TUG_PREFIX/deploy/supervise.sh" "$1" </dev/null >>"$TUG_LOGS/supervise.log" 2>&1 &
  local i
  for ((i = 0; i < 50; i++)); do
    tug_supervisor_pid "$1" >/dev/null && return 0
    sleep 0.1
  done
  tug_die "could not start the supervisor of $1: see $TUG_LOGS/supervise.log"
}
