#!/bin/bash
# The init of a `tug cluster` node container (under docker-init, which reaps orphans). Starts and
# supervises, restarting each one second after it exits:
#   dockerd                 the node's own container engine (cgroupfs driver, no Docker networking:
#                           pods are wired by Tugboat's CNI plugins)
#   redis-server, tug server   on the control-plane node only (TUG_ROLE=control-plane)
#   tug agent               once /etc/tugboat/agent.args exists: its flags, one per line, which
#                           `tug cluster create` writes (control-plane/cmd/cluster/join.ts)
# SIGTERM (docker stop) stops them in reverse order. Logs: /var/log/tugboat/<name>.log.
#
# The repository is bind-mounted read-only at /opt/tugboat and the host's node binary at
# /usr/local/bin/node, so a rebuilt checkout (npm run build) is what a restarted node runs.
# Environment: TUG_ROLE (control-plane or worker), TUG_NODE_IP (this node's cluster address).
# Layout (NODE_PATHS in control-plane/cmd/cluster/node-container.ts names the same paths):
#   /var/lib/tugboat/redis    redis data (AOF) and socket
#   /var/lib/tugboat/server   tug server's data dir: ca.crt, admin.token, …
#   /var/lib/tugboat/agent    tug agent's data dir
set -uo pipefail

STATE=/var/lib/tugboat
LOGS=/var/log/tugboat
AGENT_ARGS=/etc/tugboat/agent.args
REDIS_SOCKET=$STATE/redis/redis.sock

mkdir -p "$STATE/redis" "$STATE/server" "$STATE/agent" "$LOGS" /etc/tugboat
printf '#!/bin/sh\nexec /usr/local/bin/node /opt/tugboat/dist/control-plane/cmd/tug.js "$@"\n' >/usr/local/bin/tug
chmod 755 /usr/local/bin/tug
# Pods' traffic is routed through this node's network namespace.
sysctl -qw net.ipv4.ip_forward=1 || echo "entrypoint: cannot enable net.ipv4.ip_forward: pods cannot reach other nodes"

say() { echo "entrypoint: $*"; }

# supervise NAME CMD…: runs CMD (output to $LOGS/NAME.log) again whenever it exits, until SIGTERM.
supervise() {
  local name=$1 child
  shift
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM
  while :; do
    "$@" >>"$LOGS/$name.log" 2>&1 &
    child=$!
    wait "$child"
    say "$name exited ($?); restarting in 1 s"
    sleep 1
  done
}

# The control plane, once redis answers on its socket.
run_server() {
  until [ -S "$REDIS_SOCKET" ]; do sleep 0.1; done
  exec tug server --redis "$REDIS_SOCKET" --data-dir "$STATE/server" --tls-san "$TUG_NODE_IP" --advertise-address "$TUG_NODE_IP"
}

# The agent, once dockerd listens and its flags (one per line) are there.
run_agent() {
  until [ -S /var/run/docker.sock ] && [ -s "$AGENT_ARGS" ]; do sleep 0.1; done
  local args
  mapfile -t args <"$AGENT_ARGS"
  exec tug agent --data-dir "$STATE/agent" "${args[@]}"
}

pids=()
start() {
  supervise "$@" &
  pids+=("$!")
  say "started $1"
}

stop_all() {
  say "stopping"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null
    wait "${pids[$i]}"
  done
  exit 0
}
trap stop_all TERM INT

start dockerd dockerd --host=unix:///var/run/docker.sock --storage-driver=overlay2 --exec-opt native.cgroupdriver=cgroupfs \
  --bridge=none --iptables=false --ip-masq=false --shutdown-timeout=2
if [ "${TUG_ROLE:-worker}" = control-plane ]; then
  start redis redis-server --port 0 --unixsocket "$REDIS_SOCKET" --unixsocketperm 700 --dir "$STATE/redis" \
    --appendonly yes --appendfsync everysec --save '' --daemonize no
  start server run_server
fi
start agent run_agent

while :; do
  wait
  sleep 1
done
