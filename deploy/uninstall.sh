#!/usr/bin/env bash
# Removes what deploy/install.sh installed, as root. Idempotent: run it again at any time.
#
#   sudo /opt/tugboat/deploy/uninstall.sh           stop and remove Tugboat, keep its data
#   sudo /opt/tugboat/deploy/uninstall.sh --purge   ... and remove its data and logs too
#
# 1. stops and removes the services: the systemd units tugboat-agent, tugboat-server and
#    tugboat-redis, or the supervised processes (deploy/supervise.sh) where there is no systemd;
# 2. on an agent, runs `tug reset`: removes the pods' containers, the service proxy's iptables
#    chains (TUG-*), the pod network's rules, the routes to other nodes' pods and the pod bridge
#    (tug0), and the pods' cgroups;
# 3. stops a dockerd that install.sh started under its supervisor (hosts without systemd);
# 4. removes /opt/tugboat, /usr/local/bin/tug and /etc/tugboat.
# --purge also removes the data dirs (/var/lib/tugboat: the cluster CA, tokens, the Redis data,
# the node's credential) and the logs (/var/log/tugboat); without it a later install.sh finds the
# same cluster and node identity again. Packages (docker.io, redis-server, Node.js) stay installed.
# A removed node stays in the cluster as NotReady until `kubectl delete node NAME`.
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=deploy/lib.sh
. "$HERE/lib.sh"

PURGE=0
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) tug_die "unknown argument $arg (--purge, --help)" ;;
  esac
done

main() {
  tug_require_root "$0" "$@"
  # What the configuration names, before it goes.
  local agent=0 server=0 data_dirs=() name
  if [ -f "$TUG_ETC/agent.env" ] || [ -f "$TUG_UNIT_DIR/tugboat-agent.service" ] || [ -f "$TUG_RUN/agent.pid" ]; then agent=1; fi
  if [ -f "$TUG_ETC/server.env" ] || [ -f "$TUG_UNIT_DIR/tugboat-server.service" ] || [ -f "$TUG_RUN/server.pid" ]; then server=1; fi
  for name in agent server; do
    TUG_DATA_DIR=
    TUG_EXTRA_ARGS=
    tug_read_env "$TUG_ETC/$name.env"
    # Data dirs outside /var/lib/tugboat (--data-dir) go with --purge too.
    [ -n "$TUG_DATA_DIR" ] && [[ $TUG_DATA_DIR != "$TUG_STATE"/* ]] && data_dirs+=("$TUG_DATA_DIR")
    [ "$name" = agent ] && reset_flags "$TUG_EXTRA_ARGS"
  done
  data_dirs+=("$TUG_STATE")

  tug_step "Stopping the Tugboat services"
  local units=0
  for name in agent server redis; do
    local unit="tugboat-$name.service"
    if [ -f "$TUG_UNIT_DIR/$unit" ]; then
      if tug_has_systemd; then systemctl disable --now "$unit" >/dev/null 2>&1 || tug_warn "could not stop $unit"; fi
      rm -f "$TUG_UNIT_DIR/$unit"
      units=1
      tug_note "removed $unit"
    fi
    if tug_supervisor_pid "$name" >/dev/null; then
      tug_stop_supervised "$name"
      tug_note "stopped $name"
    fi
  done
  if [ "$units" = 1 ] && tug_has_systemd; then systemctl daemon-reload; fi

  if [ "$agent" = 1 ]; then
    tug_step "Removing what the agent left on this host (tug reset)"
    local cgroups
    cgroups=$(pod_cgroups)
    [ ${#RESET_FLAGS[@]} -eq 0 ] || tug_note "with the agent's ${RESET_FLAGS[*]}"
    if [ ! -x "$TUG_WRAPPER" ] || [ ! -d "$TUG_PREFIX/dist" ]; then
      tug_warn "$TUG_PREFIX is incomplete: cannot run tug reset; pods' containers, TUG-* iptables chains and the tug0 bridge may remain"
    elif ! tug_docker_answers; then
      tug_warn "the Docker engine does not answer: the pods' containers stay (remove them with docker rm -f once it runs); removing the network state"
      "$TUG_WRAPPER" reset "${RESET_FLAGS[@]}" --keep-containers --log-level warn || tug_warn "tug reset reported failures (above)"
    else
      "$TUG_WRAPPER" reset "${RESET_FLAGS[@]}" --log-level warn || tug_warn "tug reset reported failures (above): run $TUG_WRAPPER reset again before removing $TUG_PREFIX"
    fi
    remove_pod_cgroups "$cgroups"
  fi

  if tug_supervisor_pid dockerd >/dev/null; then
    tug_step "Stopping the dockerd that install.sh started"
    tug_stop_supervised dockerd 30
  fi

  tug_step "Removing files"
  rm -rf "$TUG_PREFIX" "$TUG_PREFIX.new" "$TUG_PREFIX.old" "$TUG_ETC" "$TUG_RUN"
  if [ -f "$TUG_WRAPPER" ] && grep -q "$TUG_WRAPPER_MARK" "$TUG_WRAPPER"; then rm -f "$TUG_WRAPPER"; fi
  tug_note "removed $TUG_PREFIX, $TUG_WRAPPER, $TUG_ETC"
  if [ "$PURGE" = 1 ]; then
    local dir
    for dir in "${data_dirs[@]}"; do
      case "$dir" in
        /|/bin|/boot|/dev|/etc|/home|/lib*|/opt|/proc|/root|/run|/sbin|/srv|/sys|/tmp|/usr|/var|/var/lib|/var/log) tug_warn "not removing data dir $dir" ;;
        /*) rm -rf "$dir" ;;
      esac
    done
    rm -rf "$TUG_LOGS"
    tug_note "purged ${data_dirs[*]} $TUG_LOGS"
  else
    tug_note "kept the data in ${data_dirs[*]} and the logs in $TUG_LOGS (--purge removes them)"
  fi
  if [ "$agent" = 1 ]; then tug_note "the node stays in the cluster as NotReady: on the control plane, kubectl delete node NAME"; fi
  [ "$server" = 1 ] && [ "$PURGE" = 0 ] && tug_note "the cluster's state stays in $TUG_STATE/redis: installing the server again brings it back"
  tug_step "Tugboat is uninstalled"
}

# The flags of `tug reset` that must match the agent's (extra flags of agent.env, words $1): RESET_FLAGS.
RESET_FLAGS=()
LABEL_PREFIX=
reset_flags() {
  local words w next=
  read -ra words <<<"${1:-}"
  for w in "${words[@]}"; do
    if [ -n "$next" ]; then
      RESET_FLAGS+=("$next" "$w")
      [ "$next" = --runtime-label-prefix ] && LABEL_PREFIX=$w
      next=
      continue
    fi
    case "$w" in
      --bridge|--proxy-chain-prefix|--runtime-label-prefix) next=$w ;;
      --bridge=*|--proxy-chain-prefix=*) RESET_FLAGS+=("$w") ;;
      --runtime-label-prefix=*) RESET_FLAGS+=("$w"); LABEL_PREFIX=${w#*=} ;;
    esac
  done
}

# The pod cgroups (agent/cgroups/pod-cgroups.ts) of the agent's containers, one a line.
pod_cgroups() {
  local ids
  ids=$(docker ps -aq --filter "label=${LABEL_PREFIX}io.tugboat.kind" 2>/dev/null) || return 0
  [ -n "$ids" ] || return 0
  # shellcheck disable=SC2086 # one id a word
  docker inspect --format '{{.HostConfig.CgroupParent}}' $ids 2>/dev/null | grep -E '^/tugpods/([a-z]+/)?pod[A-Za-z0-9-]+$' | sort -u || true
}

# Removes the pod cgroups $1 (lines) in every hierarchy once their containers are gone (the engine
# leaves them behind), waiting up to 3 s for exiting processes; never the shared /tugpods parents.
remove_pod_cgroups() {
  local p c left
  [ -n "$1" ] || return 0
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    left=0
    for p in $1; do
      for c in /sys/fs/cgroup /sys/fs/cgroup/*; do
        [ -d "$c$p" ] || continue
        find "$c$p" -depth -type d -exec rmdir {} + 2>/dev/null || true
        [ -d "$c$p" ] && left=1
      done
    done
    [ "$left" = 0 ] && return 0
    sleep 0.3
  done
  tug_warn "some pod cgroups under /sys/fs/cgroup/*/tugpods could not be removed"
}

main "$@"
