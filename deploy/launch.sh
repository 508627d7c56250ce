#!/usr/bin/env bash
# Runs one Tugboat service in the foreground with its configuration from /etc/tugboat (written by
# deploy/install.sh); what the systemd units (tugboat-*.service) and supervise.sh start. It ends by
# exec'ing the process, so signals reach it directly.
#
#   launch.sh redis     redis-server with /etc/tugboat/redis.conf (AOF, unix socket), as user redis
#   launch.sh server    tug server with the flags of /etc/tugboat/server.env
#   launch.sh agent     tug agent with the flags of /etc/tugboat/agent.env. The bootstrap token is
#                       passed only while the agent's data dir holds no credential of its own; once
#                       it does, the token is removed from agent.env.
#   launch.sh dockerd   the Docker engine, where install.sh found none running and no systemd
set -euo pipefail

HERE=$(dirname "$(readlink -f "$0")")
# shellcheck source=deploy/lib.sh
. "$HERE/lib.sh"

split_words() { read -ra "$1" <<<"${2:-}"; }

case "${1:-}" in
  redis)
    conf="$TUG_ETC/redis.conf"
    [ -f "$conf" ] || tug_die "$conf is missing: run deploy/install.sh --role server"
    if [ "$(id -u)" -eq 0 ] && id redis >/dev/null 2>&1; then
      exec setpriv --reuid=redis --regid=redis --init-groups -- redis-server "$conf"
    fi
    exec redis-server "$conf"
    ;;
  server)
    env="$TUG_ETC/server.env"
    [ -f "$env" ] || tug_die "$env is missing: run deploy/install.sh --role server"
    tug_read_env "$env"
    args=(server --data-dir "$TUG_DATA_DIR" --api-port "$TUG_API_PORT" --bind "$TUG_BIND" --redis "$TUG_REDIS")
    IFS=, read -ra sans <<<"${TUG_TLS_SANS:-}"
    for san in "${sans[@]}"; do [ -n "$san" ] && args+=(--tls-san "$san"); done
    [ -n "${TUG_ADVERTISE_ADDRESS:-}" ] && args+=(--advertise-address "$TUG_ADVERTISE_ADDRESS")
    [ -n "${TUG_LOG_LEVEL:-}" ] && args+=(--log-level "$TUG_LOG_LEVEL")
    split_words extra "${TUG_EXTRA_ARGS:-}"
    args+=("${extra[@]}")
    # The Redis of the server's own unit: wait for its socket (it starts in well under a second).
    if [ "${TUG_MANAGED_REDIS:-no}" = yes ]; then
      for _ in $(seq 1 300); do [ -S "$TUG_REDIS" ] && break; sleep 0.1; done
    fi
    exec "$TUG_WRAPPER" "${args[@]}"
    ;;
  agent)
    env="$TUG_ETC/agent.env"
    [ -f "$env" ] || tug_die "$env is missing: run deploy/install.sh --role agent"
    tug_read_env "$env"
    args=(agent --server "$TUG_SERVER" --data-dir "$TUG_DATA_DIR")
    if [ -s "$TUG_DATA_DIR/node.token" ] && [ -s "$TUG_DATA_DIR/ca.crt" ]; then
      # Joined: the bootstrap token is not needed any more and does not stay on disk.
      grep -q '^TUG_TOKEN=' "$env" && sed -i '/^TUG_TOKEN=/d' "$env"
    elif [ -n "${TUG_TOKEN:-}" ]; then
      args+=(--token "$TUG_TOKEN")
    fi
    [ -n "${TUG_CA_CERT_HASH:-}" ] && args+=(--ca-cert-hash "$TUG_CA_CERT_HASH")
    [ -n "${TUG_NODE_NAME:-}" ] && args+=(--node-name "$TUG_NODE_NAME")
    [ -n "${TUG_NODE_IP:-}" ] && args+=(--node-ip "$TUG_NODE_IP")
    [ -n "${TUG_LOG_LEVEL:-}" ] && args+=(--log-level "$TUG_LOG_LEVEL")
    split_words extra "${TUG_EXTRA_ARGS:-}"
    args+=("${extra[@]}")
    exec "$TUG_WRAPPER" "${args[@]}"
    ;;
  dockerd)
    # The agent's pod cgroups need Docker's cgroupfs driver.
    exec dockerd --exec-opt native.cgroupdriver=cgroupfs
    ;;
  *)
    echo "usage: $0 redis|server|agent|dockerd" >&2
    exit 2
    ;;
esac
