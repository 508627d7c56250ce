#!/usr/bin/env bash
# Prepares a Debian 12 / Ubuntu 22.04+ host for Tugboat, as root, and builds the project.
# Idempotent: run it again at any time. With --up it ends by starting a single-node cluster
# (`tug up`) in the foreground, with kubectl pointed at it.
#
#   sudo deploy/setup.sh          install prerequisites, start dockerd, npm ci, build
#   sudo deploy/setup.sh --up     ... then run `tug up`
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=deploy/lib.sh
. "$REPO/deploy/lib.sh"
START_UP=0
for arg in "$@"; do
  case "$arg" in
    --up) START_UP=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh must run as root (it installs packages and starts dockerd): sudo $0 $*" >&2
  exit 1
fi

# What install.sh installs for both roles, and curl for NodeSource and kubectl.
step "Packages"
tug_install_packages "${TUG_BASE_PACKAGES[@]}" "${TUG_AGENT_PACKAGES[@]}" "${TUG_SERVER_PACKAGES[@]}" curl
step "Node.js"
tug_ensure_node

if ! command -v kubectl >/dev/null; then
  step "Installing kubectl 1.33 (pkgs.k8s.io)"
  install -d -m 0755 /etc/apt/keyrings
  curl -fsSL https://pkgs.k8s.io/core:/stable:/v1.33/deb/Release.key | gpg --dearmor -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg
  echo 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.33/deb/ /' > /etc/apt/sources.list.d/kubernetes.list
  apt-get update -q && apt-get install -y -q kubectl
fi

step "Checking the Docker engine"
if docker info >/dev/null 2>&1; then
  echo "dockerd answers"
elif [ -d /run/systemd/system ]; then
  systemctl enable --now docker
else
  echo "no init system manages docker: starting dockerd in the background (log: /var/log/tugboat-dockerd.log)"
  nohup dockerd >/var/log/tugboat-dockerd.log 2>&1 &
fi
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
docker info >/dev/null 2>&1 || { echo "dockerd did not start: see /var/log/tugboat-dockerd.log" >&2; exit 1; }

step "Installing npm dependencies and building"
cd "$REPO"
npm ci --no-audit --no-fund
npm run build
chmod +x "$REPO/dist/control-plane/cmd/tug.js"
ln -sf "$REPO/dist/control-plane/cmd/tug.js" /usr/local/bin/tug
echo "tug installed as /usr/local/bin/tug"

if [ "$START_UP" -eq 1 ]; then
  step "Starting a single-node cluster (tug up); Ctrl-C stops it"
  exec /usr/local/bin/tug up
fi
