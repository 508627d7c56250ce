#!/bin/sh
# Run in a `tug cluster` node by `tug cluster delete` before the node container goes: removes the
# node's own containers, then the pod cgroups they used, with whatever a killed container left
# below them. The node shares the host's cgroup hierarchy, so these would otherwise stay behind on
# the host. Best effort: always exits 0.
ids=$(docker ps -aq 2>/dev/null) || exit 0
[ -n "$ids" ] || exit 0
# Only the agent's pod cgroups (agent/cgroups/pod-cgroups.ts), never anything above them.
parents=$(docker inspect --format '{{.HostConfig.CgroupParent}}' $ids | grep -E '^/tugpods/([a-z]+/)?pod[A-Za-z0-9-]+$' | sort -u)
docker rm -f $ids >/dev/null
# A killed container's cgroup can hold exiting processes for a moment: try for up to 3 s.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  left=0
  for p in $parents; do
    for c in /sys/fs/cgroup /sys/fs/cgroup/*; do
      [ -d "$c$p" ] || continue
      find "$c$p" -depth -type d -exec rmdir {} + 2>/dev/null
      [ -d "$c$p" ] && left=1
    done
  done
  [ $left = 0 ] && break
  sleep 0.3
done
exit 0
