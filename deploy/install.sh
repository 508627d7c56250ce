#!/usr/bin/env bash
# Installs Tugboat on a Debian 12 / Ubuntu 22.04+ VM or bare-metal host, as root: the control plane
# (--role server) or a node agent joined to one (--role agent). Both roles may share a host.
#
#   sudo deploy/install.sh --role server [--api-port 6443] [--tls-san NAME]... [--redis URL]
#   sudo deploy/install.sh --role agent --server https://10.0.0.1:6443 --token ID.SECRET \
#        --ca-cert-hash sha256:HEX [--node-ip ADDRESS] [--node-name NAME]
#   sudo deploy/install.sh                 upgrade every installed role in place
#
# What it does: installs the missing packages (docker.io, iptables, conntrack, busybox-static for an
# agent; redis-server for a server) and Node.js 20 (NodeSource) when no node >= 20 is on PATH; copies
# the built project (package.json, package-lock.json, dist/, cni/bin, deploy/) from the checkout it
# is run from, or from a tarball (--from FILE), into /opt/tugboat and runs `npm ci --omit=dev` there;
# writes /usr/local/bin/tug and the configuration /etc/tugboat/{server,agent}.env (and redis.conf);
# then runs the services: systemd units tugboat-redis, tugboat-server, tugboat-agent (enabled) where
# systemd runs, otherwise supervised background processes (deploy/supervise.sh; logs in
# /var/log/tugboat). It waits until the server answers or the agent's node is Ready. An agent needs
# Docker's cgroupfs cgroup driver: where Docker runs with systemd's and no containers, it is switched
# in /etc/docker/daemon.json and Docker restarted; otherwise install.sh stops and says how.
#
# Re-running is safe and upgrades in place: new code, the same configuration (flags given again
# replace their stored values) and data (/var/lib/tugboat), services restarted. The agent keeps its
# bootstrap token in agent.env only until it has its own credential. deploy/uninstall.sh removes it all.
#
# Flags (environment variables in parentheses; flags win, then the environment, then stored config):
#   --role server|agent       (TUG_ROLE) the role to install or reconfigure
#   --from FILE               a tarball of a built tree (tar -czf tugboat.tgz package.json
#                             package-lock.json dist cni/bin deploy) instead of this checkout
#   --data-dir DIR            (TUG_DATA_DIR) default /var/lib/tugboat/server or /var/lib/tugboat/agent
#   --log-level LEVEL         (TUG_LOG_LEVEL) trace, debug, info, warn, error
#   server: --api-port PORT (TUG_API_PORT, 6443), --bind ADDRESS (TUG_BIND, 0.0.0.0),
#           --tls-san NAME, repeatable (TUG_TLS_SANS, comma-separated), --advertise-address IP
#           (TUG_ADVERTISE_ADDRESS), --redis URL (TUG_REDIS; default: a Redis of its own with AOF
#           on a unix socket, unit tugboat-redis)
#   agent:  --server URL (TUG_SERVER), --token TOKEN (TUG_TOKEN), --ca-cert-hash sha256:HEX
#           (TUG_CA_CERT_HASH): what `tug token create --print-join-command` prints on the server;
#           --node-ip ADDRESS (TUG_NODE_IP), --node-name NAME (TUG_NODE_NAME)
#   -- FLAG...                (TUG_EXTRA_ARGS) more `tug server`/`tug agent` flags, kept in the config
set -euo pipefail
umask 022

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=deploy/lib.sh
. "$HERE/lib.sh"

# Settings a user may give, by flag or environment; stored in the role's env file.
SETTINGS=(TUG_DATA_DIR TUG_LOG_LEVEL TUG_API_PORT TUG_BIND TUG_TLS_SANS TUG_ADVERTISE_ADDRESS TUG_REDIS
  TUG_SERVER TUG_TOKEN TUG_CA_CERT_HASH TUG_NODE_IP TUG_NODE_NAME TUG_EXTRA_ARGS)
SERVER_SETTINGS=(TUG_API_PORT TUG_BIND TUG_TLS_SANS TUG_ADVERTISE_ADDRESS TUG_REDIS)
AGENT_SETTINGS=(TUG_SERVER TUG_TOKEN TUG_CA_CERT_HASH TUG_NODE_IP TUG_NODE_NAME)
declare -A GIVEN=()
ROLE=${TUG_ROLE:-}
FROM=
WORK=
CODE_CHANGED=0

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

given() { GIVEN[$1]=$2; }

parse_args() {
  local key
  # The environment first; flags below replace it.
  for key in "${SETTINGS[@]}"; do
    [ -n "${!key:-}" ] && given "$key" "${!key}"
    unset "$key"
  done
  while [ $# -gt 0 ]; do
    case "$1" in
      --role) ROLE=${2:?--role needs server or agent}; shift ;;
      --from) FROM=${2:?--from needs a file}; shift ;;
      --data-dir) given TUG_DATA_DIR "${2:?--data-dir needs a directory}"; shift ;;
      --log-level) given TUG_LOG_LEVEL "${2:?--log-level needs a level}"; shift ;;
      --api-port) given TUG_API_PORT "${2:?--api-port needs a port}"; shift ;;
      --bind) given TUG_BIND "${2:?--bind needs an address}"; shift ;;
      --tls-san) given TUG_TLS_SANS "${GIVEN[TUG_TLS_SANS]:+${GIVEN[TUG_TLS_SANS]},}${2:?--tls-san needs a name}"; shift ;;
      --advertise-address) given TUG_ADVERTISE_ADDRESS "${2:?--advertise-address needs an address}"; shift ;;
      --redis) given TUG_REDIS "${2:?--redis needs a URL}"; shift ;;
      --server) given TUG_SERVER "${2:?--server needs a URL}"; shift ;;
      --token) given TUG_TOKEN "${2:?--token needs a token}"; shift ;;
      --ca-cert-hash) given TUG_CA_CERT_HASH "${2:?--ca-cert-hash needs sha256:HEX}"; shift ;;
      --node-ip) given TUG_NODE_IP "${2:?--node-ip needs an address}"; shift ;;
      --node-name) given TUG_NODE_NAME "${2:?--node-name needs a name}"; shift ;;
      --) shift; given TUG_EXTRA_ARGS "$*"; break ;;
      -h|--help) usage; exit 0 ;;
      *) tug_die "unknown argument $1 (deploy/install.sh --help lists the flags)" ;;
    esac
    shift
  done
}

# Values end up in env files and on command lines: no spaces, quotes or shell characters.
check_value() {
  local key=$1 value=$2 words word
  if [ "$key" = TUG_EXTRA_ARGS ]; then
    read -ra words <<<"$value"
    for word in "${words[@]}"; do check_value "extra flag" "$word"; done
    return 0
  fi
  local allowed='^[]A-Za-z0-9._:/@%+=,[-]*$'
  [[ $value =~ $allowed ]] || tug_die "$key: \"$value\" holds characters that are not allowed (spaces, quotes, shell characters)"
}

installed_roles() {
  local r
  for r in server agent; do [ -f "$TUG_ETC/$r.env" ] && echo "$r"; done
  return 0
}

role_data_dir() { echo "$TUG_STATE/$1"; }

# Sets the TUG_* variables of role $1: defaults, then its stored config, then what was given.
# shellcheck disable=SC2034 # the variables are read by name (${!key})
load_config() {
  local role=$1 key
  for key in "${SETTINGS[@]}" TUG_MANAGED_REDIS; do unset "$key"; done
  TUG_DATA_DIR=$(role_data_dir "$role")
  TUG_LOG_LEVEL=info
  if [ "$role" = server ]; then
    TUG_API_PORT=6443
    TUG_BIND=0.0.0.0
    TUG_MANAGED_REDIS=yes
  fi
  tug_read_env "$TUG_ETC/$role.env"
  if [ "$role" = "$ROLE" ]; then
    for key in "${!GIVEN[@]}"; do printf -v "$key" '%s' "${GIVEN[$key]}"; done
    if [ "$role" = server ] && [ -n "${GIVEN[TUG_REDIS]:-}" ]; then TUG_MANAGED_REDIS=no; fi
  fi
  if [ "$role" = server ] && [ "$TUG_MANAGED_REDIS" = yes ]; then TUG_REDIS="$TUG_STATE/redis/redis.sock"; fi
  # A joined agent uses its own credential: the bootstrap token is not kept.
  if [ "$role" = agent ] && joined; then unset TUG_TOKEN; fi
  return 0
}

validate_config() {
  local role=$1 key
  for key in "${SETTINGS[@]}"; do check_value "$key" "${!key:-}"; done
  [[ $TUG_DATA_DIR == /* ]] || tug_die "--data-dir must be an absolute path, got \"$TUG_DATA_DIR\""
  if [ "$role" = server ]; then
    if ! [[ $TUG_API_PORT =~ ^[0-9]+$ ]] || [ "$TUG_API_PORT" -lt 1 ] || [ "$TUG_API_PORT" -gt 65535 ]; then
      tug_die "--api-port must be a port number, got \"$TUG_API_PORT\""
    fi
    [ -n "$TUG_REDIS" ] || tug_die "--redis needs a URL"
    return 0
  fi
  [ -n "${TUG_SERVER:-}" ] || tug_die "the agent needs --server https://HOST:PORT --token TOKEN --ca-cert-hash sha256:HEX: run \`tug token create --print-join-command\` on the control plane, it prints all three"
  [[ $TUG_SERVER == https://* ]] || tug_die "--server must be an https:// URL, got \"$TUG_SERVER\""
  if [ -n "${TUG_CA_CERT_HASH:-}" ] && ! [[ $TUG_CA_CERT_HASH =~ ^sha256:[0-9a-f]{64}$ ]]; then
    tug_die "--ca-cert-hash must be sha256:<64 hex digits>, got \"$TUG_CA_CERT_HASH\""
  fi
  if joined; then
    if [ -n "${GIVEN[TUG_TOKEN]:-}" ]; then
      tug_note "the agent already has its own credential in $TUG_DATA_DIR: the bootstrap token is not needed and not kept"
    fi
  elif [ -z "${TUG_TOKEN:-}" ] || [ -z "${TUG_CA_CERT_HASH:-}" ]; then
    tug_die "the agent has no credential yet: pass --token TOKEN --ca-cert-hash sha256:HEX (\`tug token create --print-join-command\` on the control plane prints them)"
  fi
}

# Whether the agent (config loaded) holds its own credential.
joined() { [ -s "$TUG_DATA_DIR/node.token" ] && [ -s "$TUG_DATA_DIR/ca.crt" ]; }

env_file_text() {
  local role=$1 key keys
  if [ "$role" = server ]; then
    keys=(TUG_DATA_DIR "${SERVER_SETTINGS[@]}" TUG_MANAGED_REDIS TUG_LOG_LEVEL TUG_EXTRA_ARGS)
  else
    keys=(TUG_DATA_DIR "${AGENT_SETTINGS[@]}" TUG_LOG_LEVEL TUG_EXTRA_ARGS)
  fi
  echo "# tug $role: written by deploy/install.sh, read by $TUG_PREFIX/deploy/launch.sh."
  echo "# Change a value, then restart the service (or run install.sh again with the new flag)."
  [ "$role" = agent ] && echo "# TUG_TOKEN (the bootstrap token) is removed once the agent has its own credential."
  for key in "${keys[@]}"; do
    [ "$role" = agent ] && [ "$key" = TUG_TOKEN ] && [ -z "${TUG_TOKEN:-}" ] && continue
    if [ "$key" = TUG_EXTRA_ARGS ]; then
      echo "$key=\"${!key:-}\""
    else
      echo "$key=${!key:-}"
    fi
  done
}

# Writes $2 to file $1 (mode $3) when it differs; succeeds when it changed the file.
write_if_changed() {
  local file=$1 text=$2 mode=$3
  if [ -f "$file" ] && [ "$(cat "$file")" = "$text" ]; then
    chmod "$mode" "$file"
    return 1
  fi
  install -d -m 0755 "$(dirname "$file")"
  printf '%s\n' "$text" >"$file.tmp"
  chmod "$mode" "$file.tmp"
  mv "$file.tmp" "$file"
}

redis_conf_text() {
  cat <<EOF
# Redis of the Tugboat control plane: written by deploy/install.sh. The only state of the cluster:
# AOF on (fsync every second), no RDB snapshots, no TCP port, a unix socket for tug server.
port 0
unixsocket $TUG_STATE/redis/redis.sock
unixsocketperm 770
dir $TUG_STATE/redis
appendonly yes
appendfsync everysec
save ""
daemonize no
logfile ""
EOF
}

# --- the code ---------------------------------------------------------------------------------

# The built tree to install: this checkout, or the tarball of --from unpacked.
source_tree() {
  local src
  if [ -n "$FROM" ]; then
    [ -f "$FROM" ] || tug_die "--from $FROM: no such file"
    tar -xf "$FROM" -C "$WORK" || tug_die "--from $FROM: not a tar archive (make one with: tar -czf tugboat.tgz package.json package-lock.json dist cni/bin deploy)"
    src=$(find "$WORK" -maxdepth 2 -name package.json -printf '%h\n' | head -n 1)
    [ -n "$src" ] || tug_die "--from $FROM holds no package.json"
  else
    src=$(dirname "$HERE")
  fi
  local f
  for f in package.json package-lock.json dist/control-plane/cmd/tug.js cni/bin/tug-bridge deploy/lib.sh deploy/launch.sh deploy/supervise.sh; do
    [ -e "$src/$f" ] || tug_die "$src has no $f: build the project first (deploy/setup.sh, or npm ci && npm run build), or pass --from a tarball of a built tree"
  done
  echo "$src"
}

# A fingerprint of the files a tree installs.
tree_id() {
  (cd "$1" && find package.json package-lock.json dist cni/bin deploy -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

lock_id() { sha256sum "$1/package-lock.json" | cut -c1-16; }

install_code() {
  local src=$1 id new="$TUG_PREFIX.new" old="$TUG_PREFIX.old"
  id=$(tree_id "$src")
  if [ "$(cat "$TUG_PREFIX/.tugboat-build" 2>/dev/null)" = "$id" ] && [ -d "$TUG_PREFIX/node_modules" ]; then
    tug_note "$TUG_PREFIX is up to date (build $id)"
    return 0
  fi
  rm -rf "$new" "$old"
  mkdir -p "$new/cni"
  cp -R "$src/package.json" "$src/package-lock.json" "$src/dist" "$src/deploy" "$new/"
  cp -R "$src/cni/bin" "$new/cni/bin"
  if [ -d "$TUG_PREFIX/node_modules" ] && [ "$(cat "$TUG_PREFIX/.tugboat-lock" 2>/dev/null)" = "$(lock_id "$new")" ]; then
    tug_note "npm dependencies unchanged: reusing them"
    cp -al "$TUG_PREFIX/node_modules" "$new/node_modules" 2>/dev/null || cp -a "$TUG_PREFIX/node_modules" "$new/node_modules"
  else
    command -v npm >/dev/null || tug_die "npm is not on PATH: install Node.js 20 with npm (e.g. from deb.nodesource.com), then run again"
    tug_note "installing npm dependencies (npm ci --omit=dev)"
    # --ignore-scripts: Tugboat needs no native addon (the optional ones of ssh2 would want a compiler).
    (cd "$new" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1) ||
      { tail -n 20 "$WORK/npm.log" >&2; rm -rf "$new"; tug_die "npm ci failed (above): the npm registry must be reachable (npm config: registry, proxy); $TUG_PREFIX is unchanged"; }
  fi
  lock_id "$new" >"$new/.tugboat-lock"
  echo "$id" >"$new/.tugboat-build"
  chmod 755 "$new/deploy/"*.sh "$new/cni/bin/"*
  # Swap; the old tree goes once the services run the new one.
  [ -d "$TUG_PREFIX" ] && mv "$TUG_PREFIX" "$old"
  mv "$new" "$TUG_PREFIX"
  CODE_CHANGED=1
  tug_note "installed build $id into $TUG_PREFIX"
}

install_wrapper() {
  local node text
  node=$(command -v node)
  text=$(printf '#!/bin/sh\n# The Tugboat CLI: %s (deploy/uninstall.sh removes it).\nexec %s %s/dist/control-plane/cmd/tug.js "$@"' "$TUG_WRAPPER_MARK" "$node" "$TUG_PREFIX")
  write_if_changed "$TUG_WRAPPER" "$text" 0755 || true
}

# --- the container engine (agent) -------------------------------------------------------------

# Docker must use the cgroupfs driver: the agent gives containers cgroup parents under /tugpods.
check_cgroup_driver() {
  local driver
  driver=$(docker info --format '{{.CgroupDriver}}' 2>/dev/null || echo unknown)
  [ "$driver" = systemd ] || return 0
  local fix="set \"exec-opts\": [\"native.cgroupdriver=cgroupfs\"] in /etc/docker/daemon.json and restart docker, then run install.sh again"
  grep -q 'native.cgroupdriver' /etc/docker/daemon.json 2>/dev/null &&
    tug_die "Docker uses the systemd cgroup driver as /etc/docker/daemon.json asks; the Tugboat agent needs cgroupfs: $fix"
  [ -z "$(docker ps -q)" ] ||
    tug_die "Docker uses the systemd cgroup driver and the Tugboat agent needs cgroupfs; changing it restarts Docker and its running containers: $fix"
  tug_has_systemd || tug_die "Docker uses the systemd cgroup driver and the Tugboat agent needs cgroupfs: $fix"
  tug_note "switching Docker to the cgroupfs cgroup driver (/etc/docker/daemon.json) and restarting it"
  node -e '
    const fs = require("fs"); const f = "/etc/docker/daemon.json"; let c = {};
    try { c = JSON.parse(fs.readFileSync(f, "utf8")); } catch (e) { if (e.code !== "ENOENT") throw e; }
    c["exec-opts"] = [...(c["exec-opts"] || []), "native.cgroupdriver=cgroupfs"];
    fs.mkdirSync("/etc/docker", { recursive: true }); fs.writeFileSync(f, JSON.stringify(c, null, 2) + "\n");' ||
    tug_die "could not update /etc/docker/daemon.json: $fix"
  systemctl restart docker
  tug_wait_docker 60 || tug_die "Docker did not come back after the restart: see journalctl -u docker"
}

ensure_docker() {
  if tug_docker_answers; then
    tug_note "Docker engine answers"
  elif tug_has_systemd; then
    tug_note "starting docker.service"
    systemctl enable --now docker >/dev/null 2>&1 || true
    tug_wait_docker 60 || tug_die "docker.service does not start: see journalctl -u docker"
  else
    tug_note "no systemd and no running Docker engine: starting dockerd under the supervisor (log: $TUG_LOGS/dockerd.log)"
    tug_start_supervised dockerd
    tug_wait_docker 60 || tug_die "dockerd did not start: see $TUG_LOGS/dockerd.log"
  fi
  check_cgroup_driver
}

# --- services ---------------------------------------------------------------------------------

unit_text() {
  local name=$1
  case "$name" in
    redis)
      cat <<EOF
[Unit]
Description=Redis of the Tugboat control plane (AOF, unix socket)
Documentation=file://$TUG_PREFIX/deploy/install.sh
After=network.target

[Service]
ExecStart=$TUG_PREFIX/deploy/launch.sh redis
Restart=always
RestartSec=1
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
EOF
      ;;
    server)
      cat <<EOF
[Unit]
Description=Tugboat control plane (tug server)
Documentation=file://$TUG_PREFIX/deploy/install.sh
Wants=network-online.target
EOF
      if [ "$TUG_MANAGED_REDIS" = yes ]; then
        printf 'After=network-online.target tugboat-redis.service\nRequires=tugboat-redis.service\n'
      else
        echo 'After=network-online.target'
      fi
      cat <<EOF

[Service]
ExecStart=$TUG_PREFIX/deploy/launch.sh server
Restart=always
RestartSec=2
LimitNOFILE=1048576

[Install]
WantedBy=multi-user.target
EOF
      ;;
    agent)
      cat <<EOF
[Unit]
Description=Tugboat node agent (tug agent)
Documentation=file://$TUG_PREFIX/deploy/install.sh
Wants=network-online.target docker.service
After=network-online.target docker.service

[Service]
ExecStart=$TUG_PREFIX/deploy/launch.sh agent
Restart=always
RestartSec=2
LimitNOFILE=1048576

[Install]
WantedBy=multi-user.target
EOF
      ;;
  esac
}

# (Re)starts service $1 (redis, server, agent) under systemd or the supervisor.
restart_service() {
  local name=$1 unit="tugboat-$1.service"
  if tug_has_systemd; then
    write_if_changed "$TUG_UNIT_DIR/$unit" "$(unit_text "$name")" 0644 && systemctl daemon-reload
    systemctl enable "$unit" >/dev/null 2>&1
    systemctl restart "$unit" || tug_die "systemctl restart $unit failed: see journalctl -u $unit"
    tug_note "$unit enabled and (re)started (journalctl -u $unit)"
  else
    tug_stop_supervised "$name"
    tug_start_supervised "$name"
    tug_note "$name (re)started under $TUG_PREFIX/deploy/supervise.sh (log: $TUG_LOGS/$name.log)"
  fi
}

stop_service() {
  local name=$1 unit="tugboat-$1.service"
  if tug_has_systemd && [ -f "$TUG_UNIT_DIR/$unit" ]; then
    systemctl disable --now "$unit" >/dev/null 2>&1 || true
    rm -f "$TUG_UNIT_DIR/$unit"
    systemctl daemon-reload
  fi
  tug_stop_supervised "$name"
}

service_log_hint() {
  if tug_has_systemd; then echo "journalctl -u tugboat-$1"; else echo "$TUG_LOGS/$1.log"; fi
}

service_running() {
  if tug_has_systemd; then systemctl is-active --quiet "tugboat-$1.service"; else tug_supervisor_pid "$1" >/dev/null; fi
}

show_log_tail() {
  if tug_has_systemd; then
    journalctl -u "tugboat-$1" -n 15 --no-pager >&2 || true
  else
    tail -n 15 "$TUG_LOGS/$1.log" >&2 || true
  fi
}

# Waits until the API server of the loaded server config answers /healthz.
wait_server() {
  local host=$TUG_BIND i
  if [ "$host" = 0.0.0.0 ] || [ "$host" = :: ]; then host=127.0.0.1; fi
  for ((i = 0; i < 120; i++)); do
    # shellcheck disable=SC2016 # JavaScript, not shell
    TUG_HOST=$host TUG_PORT=$TUG_API_PORT node -e '
      const req = require("https").get({ host: process.env.TUG_HOST, port: +process.env.TUG_PORT, path: "/healthz", rejectUnauthorized: false, timeout: 2000 },
        (res) => process.exit(res.statusCode === 200 ? 0 : 1));
      req.on("error", () => process.exit(1)); req.on("timeout", () => process.exit(1));' 2>/dev/null && return 0
    sleep 0.5
  done
  show_log_tail server
  tug_die "tug server does not answer on port $TUG_API_PORT after 60 s (its log above; more: $(service_log_hint server))"
}

# Waits until the agent (config loaded) has joined and its Node is Ready; prints the node name.
wait_agent() {
  local i name
  for ((i = 0; i < 120; i++)); do
    joined && break
    sleep 0.5
  done
  if ! joined; then
    show_log_tail agent
    tug_die "the agent has not joined $TUG_SERVER after 60 s (its log above; more: $(service_log_hint agent)). It keeps trying; check --server, the token (valid 24 h by default) and that this host reaches the server"
  fi
  # Joined: the bootstrap token leaves the config.
  write_if_changed "$TUG_ETC/agent.env" "$(unset TUG_TOKEN; env_file_text agent)" 0600 || true
  name=${TUG_NODE_NAME:-$(tr '[:upper:]' '[:lower:]' </proc/sys/kernel/hostname)}
  for ((i = 0; i < 180; i++)); do
    # shellcheck disable=SC2016 # JavaScript, not shell
    TUG_URL=$TUG_SERVER TUG_DIR=$TUG_DATA_DIR TUG_NAME=$name node -e '
      const fs = require("fs"); const e = process.env;
      const url = new URL(`/api/v1/nodes/${e.TUG_NAME}`, e.TUG_URL);
      const req = require("https").get(url, { ca: fs.readFileSync(`${e.TUG_DIR}/ca.crt`), timeout: 2000,
        headers: { Authorization: `Bearer ${fs.readFileSync(`${e.TUG_DIR}/node.token`, "utf8").trim()}` } }, (res) => {
        let body = ""; res.on("data", (c) => (body += c));
        res.on("end", () => { try { const ready = JSON.parse(body).status.conditions.find((c) => c.type === "Ready");
          process.exit(ready && ready.status === "True" ? 0 : 1); } catch { process.exit(1); } });
      });
      req.on("error", () => process.exit(1)); req.on("timeout", () => process.exit(1));' 2>/dev/null && { echo "$name"; return 0; }
    sleep 0.5
  done
  show_log_tail agent
  tug_die "node $name joined but is not Ready after 90 s (the agent's log above; more: $(service_log_hint agent))"
}

# This host's address on its default route (a route lookup: nothing is sent).
host_address() { ip -4 route get 1.1.1.1 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "src") { print $(i + 1); exit } }'; }

# --- main -------------------------------------------------------------------------------------

main() {
  parse_args "$@"
  tug_require_root "$0" "$@"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/tugboat-install.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT

  local roles=() r installed
  installed=$(installed_roles)
  case "$ROLE" in
    server|agent) roles=("$ROLE") ;;
    "")
      [ -n "$installed" ] || tug_die "nothing is installed yet: pass --role server or --role agent (deploy/install.sh --help)"
      [ ${#GIVEN[@]} -eq 0 ] || tug_die "settings were given without --role: pass --role server or --role agent to say whose they are"
      mapfile -t roles <<<"$installed"
      ;;
    *) tug_die "--role must be server or agent, got \"$ROLE\"" ;;
  esac
  local key other
  if [ "$ROLE" = server ]; then other=" ${AGENT_SETTINGS[*]} "; else other=" ${SERVER_SETTINGS[*]} "; fi
  for key in "${!GIVEN[@]}"; do
    [[ $other == *" $key "* ]] && tug_die "$key is not a setting of --role $ROLE (deploy/install.sh --help)"
  done
  local os
  os=$(. /etc/os-release 2>/dev/null && echo "${ID:-?} ${ID_LIKE:-}")
  [[ $os =~ (debian|ubuntu) ]] || tug_warn "this is not Debian or Ubuntu ($os): install.sh is made for Debian 12 and Ubuntu 22.04+"

  # Check every configuration before changing anything.
  for r in "${roles[@]}"; do
    load_config "$r"
    validate_config "$r"
  done

  if [ -n "$installed" ]; then
    tug_step "Installing Tugboat (${roles[*]}): upgrading the installation in $TUG_PREFIX"
  else
    tug_step "Installing Tugboat (${roles[*]})"
  fi
  tug_step "Packages"
  local packages=("${TUG_BASE_PACKAGES[@]}")
  for r in "${roles[@]}"; do
    load_config "$r"
    [ "$r" = agent ] && packages+=("${TUG_AGENT_PACKAGES[@]}")
    [ "$r" = server ] && [ "$TUG_MANAGED_REDIS" = yes ] && packages+=("${TUG_SERVER_PACKAGES[@]}")
  done
  tug_install_packages "${packages[@]}"
  tug_step "Node.js"
  tug_ensure_node
  if [[ " ${roles[*]} " == *" agent "* ]]; then
    tug_step "Container engine"
    ensure_docker
  fi

  tug_step "Tugboat code in $TUG_PREFIX"
  local src
  src=$(source_tree)
  install_code "$src"
  install_wrapper

  tug_step "Configuration in $TUG_ETC"
  install -d -m 0755 "$TUG_ETC" "$TUG_STATE" "$TUG_LOGS"
  local redis_changed=0
  for r in "${roles[@]}"; do
    load_config "$r"
    install -d -m 0700 "$TUG_DATA_DIR"
    if write_if_changed "$TUG_ETC/$r.env" "$(env_file_text "$r")" 0600; then tug_note "wrote $TUG_ETC/$r.env"; else tug_note "$TUG_ETC/$r.env unchanged"; fi
    if [ "$r" = server ] && [ "$TUG_MANAGED_REDIS" = yes ]; then
      install -d -m 0750 "$TUG_STATE/redis"
      id redis >/dev/null 2>&1 && chown redis:redis "$TUG_STATE/redis"
      write_if_changed "$TUG_ETC/redis.conf" "$(redis_conf_text)" 0644 && redis_changed=1
    fi
  done

  tug_step "Services"
  if tug_has_systemd; then tug_note "systemd runs: installing units in $TUG_UNIT_DIR"; else
    tug_note "no systemd here (a container?): running the services under $TUG_PREFIX/deploy/supervise.sh instead; nothing restarts them after a reboot (run install.sh again)"
  fi
  # Restart the configured roles; the other installed ones too when their code changed.
  local restart=()
  for r in server agent; do
    if [[ " ${roles[*]} " == *" $r "* ]] || { [ "$CODE_CHANGED" = 1 ] && [[ $installed == *$r* ]]; }; then restart+=("$r"); fi
  done
  local joined_node="" server_done=0
  for r in "${restart[@]}"; do
    load_config "$r"
    if [ "$r" = server ]; then
      if [ "$TUG_MANAGED_REDIS" = yes ]; then
        if [ "$redis_changed" = 1 ] || ! service_running redis; then restart_service redis; fi
      else
        stop_service redis
      fi
      restart_service server
      wait_server
      tug_note "tug server answers on port $TUG_API_PORT"
      server_done=1
    else
      restart_service agent
      joined_node=$(wait_agent)
      tug_note "node $joined_node is Ready"
    fi
  done
  rm -rf "$TUG_PREFIX.old"

  tug_step "Done"
  if [ "$server_done" = 1 ]; then
    load_config server
    cat <<EOF
    Control plane: https://$(host_address):$TUG_API_PORT
    Admin kubeconfig: $TUG_DATA_DIR/kubeconfig  (kubectl --kubeconfig $TUG_DATA_DIR/kubeconfig get nodes)
    Join a node: \`tug token create --print-join-command --kubeconfig $TUG_DATA_DIR/kubeconfig\` here prints
      the agent's flags; on the node run: sudo deploy/install.sh --role agent <those flags>
EOF
  fi
  [ -n "$joined_node" ] && echo "    Node $joined_node joined and Ready: kubectl get nodes on the control plane shows it"
  echo "    Logs: $(if tug_has_systemd; then echo "journalctl -u 'tugboat-*'"; else echo "$TUG_LOGS/"; fi)  Uninstall: $TUG_PREFIX/deploy/uninstall.sh [--purge]"
}

main "$@"
