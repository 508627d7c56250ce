#!/usr/bin/env bash
# Keeps one Tugboat service running where systemd does not (containers, hosts without an init
# system): runs `launch.sh NAME` and starts it again 2 s after it exits, until SIGTERM, which it
# passes on (and then waits for the process to end). deploy/install.sh starts it detached, one per
# service; deploy/uninstall.sh and re-runs of install.sh stop it (lib.sh: tug_stop_supervised).
#
#   supervise.sh redis|server|agent|dockerd
#
# Writes its pid to /run/tugboat/NAME.pid; the service's output goes to /var/log/tugboat/NAME.log.
# Nothing starts it again after a reboot: there, run deploy/install.sh again (it keeps config and data).
set -uo pipefail

HERE=$(dirname "$(readlink -f "$0")")
# shellcheck source=deploy/lib.sh
. "$HERE/lib.sh"

name=${1:?usage: supervise.sh redis|server|agent|dockerd}
mkdir -p "$TUG_RUN" "$TUG_LOGS"
log="$TUG_LOGS/$name.log"
echo $$ >"$TUG_RUN/$name.pid"

child=
stopping=0
on_term() {
  stopping=1
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
}
trap on_term TERM INT

while [ "$stopping" = 0 ]; do
  echo "supervise: starting $name ($(date -u +%FT%TZ))" >>"$log"
  "$TUG_PREFIX/deploy/launch.sh" "$name" </dev/null >>"$log" 2>&1 &
  child=$!
  # A trapped signal ends `wait` early: wait again until the process is gone.
  wait "$child"
  rc=$?
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    rc=$?
  done
  child=
  [ "$stopping" = 1 ] && break
  echo "supervise: $name exited ($rc); starting it again in 2 s" >>"$log"
  sleep 2 &
  wait $!
  kill $! 2>/dev/null
done
echo "supervise: stopped $name" >>"$log"
rm -f "$TUG_RUN/$name.pid"
