/**
 * deploy/install.sh and deploy/uninstall.sh as a user runs them, in a fresh Debian 12 container:
 * the `tug cluster` node image (a plain debootstrap rootfs with docker.io, redis-server, iptables,
 * busybox-static; no Node.js, no Tugboat, no systemd) run with the nested-engine options of
 * node-container.ts. This checkout is bind-mounted read-only at /src/tugboat (install.sh copies the
 * built tree from it and runs `npm ci --omit=dev` against the registry); the host's node and npm
 * stand for an installed Node.js 20 (NodeSource is not reachable from CI machines).
 *
 *   1. install.sh --role server: Redis with AOF on a unix socket and tug server, supervised
 *      (no systemd in a container), answering kubectl on this host;
 *   2. install.sh --role agent with the flags `tug token create --print-join-command` printed: the
 *      agent joins, the bootstrap token leaves its config, the node is Ready and runs a pod;
 *   3. install.sh again, without flags, from a tarball of a newer build (--from): an in-place
 *      upgrade that restarts the services with the same config and data, while the pod's
 *      container keeps running;
 *   4. uninstall.sh --purge: no Tugboat process, file, unit, TUG-* chain, bridge or route is left.
 *
 * Slow: about 30 s (npm ci about 8 s of it), plus about a minute on a machine without the node image.
 * Needs root and a Docker engine.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import { createDockerCli, DockerError } from '../control-plane/cmd/cluster/docker-cli.js';
import { ensureNodeImage } from '../control-plane/cmd/cluster/image.js';
import { nestedEngineArgs, privilegedLikely, type SecurityMode } from '../control-plane/cmd/cluster/node-container.js';
import { kubectlOk } from './harness/kubectl.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE = 'tugboat/busybox:test';
const NAME = `tug-install-${randomBytes(3).toString('hex')}`;
const SRC = '/src/tugboat';
const docker = createDockerCli(pino({ level: 'silent' }));

let scratch: string;
let kubeconfig: string;
let containerIP: string;
const k = (...args: string[]) => kubectlOk(kubeconfig, args);

/** Where the host's npm lives (beside its node binary, as NodeSource and nodejs.org lay them out). */
const NPM_DIR = path.resolve(path.dirname(process.execPath), '../lib/node_modules/npm');
/** The host's CAs (which may hold a TLS-inspecting proxy's), given to npm in the container as extra CAs. */
const EXTRA_CA = [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'].find((f): f is string => !!f && existsSync(f));

/** Runs a bash script as root in the container; resolves with stdout and stderr together, rejects with them on a non-zero exit. */
function sh(script: string, opts: { input?: NodeJS.ReadableStream; timeoutMs?: number } = {}): Promise<string> {
  const env = EXTRA_CA ? ['--env', 'NODE_EXTRA_CA_CERTS=/host-ca.crt'] : [];
  return new Promise((resolve, reject) => {
    const proc = spawn('docker', ['exec', ...(opts.input ? ['--interactive'] : []), ...env, NAME, 'bash', '-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (c) => (output += c));
    proc.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`in ${NAME}: ${script}\nexited ${code}:\n${output}`));
    });
    if (opts.input) opts.input.pipe(proc.stdin);
    else proc.stdin.end();
  });
}

async function startContainer(image: string): Promise<void> {
  if (!existsSync(path.join(NPM_DIR, 'bin/npm-cli.js'))) throw new Error(`no npm beside ${process.execPath} (looked in ${NPM_DIR})`);
  const run = (mode: SecurityMode) =>
    docker.run([
      'run', '--detach', '--name', NAME, '--hostname', NAME, '--init',
      ...nestedEngineArgs(mode),
      '--volume', '/var/lib/docker',
      '--volume', `${process.execPath}:/usr/local/bin/node:ro`,
      '--volume', `${NPM_DIR}:/usr/local/lib/node_modules/npm:ro`,
      ...(EXTRA_CA ? ['--volume', `${EXTRA_CA}:/host-ca.crt:ro`] : []),
      '--volume', `${REPO}:${SRC}:ro`,
      '--entrypoint', 'sleep', image, 'infinity',
    ]);
  if (await privilegedLikely()) {
    try {
      await run('privileged');
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
      await docker.run(['rm', '--force', '--volumes', NAME]);
      await run('capabilities');
    }
  } else {
    await run('capabilities');
  }
  containerIP = (await docker.run(['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', NAME])).trim();
  await sh('ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm');
}

/** The processes of the container, one command line each. */
const processes = async () => (await sh('ps -eo args=')).split('\n').filter(Boolean);

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'tug-install-e2e-'));
  kubeconfig = path.join(scratch, 'kubeconfig');
  await buildBusyboxImage(new Docker(), IMAGE);
  const silent = { step: <T>(_title: string, fn: () => Promise<T>) => fn(), note: () => undefined };
  const image = await ensureNodeImage(docker, { repo: REPO, cacheDir: '/var/cache/tugboat/node-image', rebuild: false }, silent);
  await startContainer(image);
}, 300_000);

afterAll(async () => {
  // Also when a test failed: the nested engine's containers and the pods' cgroups (in the host's hierarchy) first.
  await docker.run(['exec', NAME, `${SRC}/deploy/node-image/cleanup.sh`]).catch(() => undefined);
  await docker.run(['rm', '--force', '--volumes', NAME]).catch(() => undefined);
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 120_000);

describe('deploy/install.sh in a fresh Debian container', () => {
  it('--role server runs Redis (AOF, unix socket) and tug server under the supervisor', async () => {
    const out = await sh(`${SRC}/deploy/install.sh --role server`);
    expect(out).toContain('no systemd here');
    expect(out).toContain('tug server answers on port 6443');
    expect(await sh('redis-cli -s /var/lib/tugboat/redis/redis.sock config get appendonly')).toBe('appendonly\nyes\n');
    const admin = await sh('cat /var/lib/tugboat/server/kubeconfig');
    await writeFile(kubeconfig, admin.replace('https://127.0.0.1:6443', `https://${containerIP}:6443`));
    expect(await k('get', 'namespaces', '-o', 'name')).toContain('namespace/kube-system');
  }, 240_000);

  it('--role agent with the printed join flags: the node joins, is Ready and runs a pod', async () => {
    const join = (await sh('tug token create --print-join-command --kubeconfig /var/lib/tugboat/server/kubeconfig')).trim();
    expect(join).toMatch(/^tug agent --server https:\/\/\S+ --token \S+ --ca-cert-hash sha256:[0-9a-f]{64}$/);
    const out = await sh(`${SRC}/deploy/install.sh --role agent ${join.replace(/^tug agent /, '')}`);
    expect(out).toContain(`node ${NAME} is Ready`);
    expect(await k('get', 'node', NAME)).toMatch(new RegExp(`^${NAME}\\s+Ready\\s`, 'm'));
    // The bootstrap token stays only until the agent has its own credential.
    expect(await sh('stat -c %a /etc/tugboat/agent.env')).toBe('600\n');
    expect(await sh('cat /etc/tugboat/agent.env')).not.toContain('TUG_TOKEN=');

    const save = spawn('docker', ['save', IMAGE], { stdio: ['ignore', 'pipe', 'inherit'] });
    await sh('docker load', { input: save.stdout });
    await kubectlOk(kubeconfig, ['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: installed}
spec:
  nodeSelector: {kubernetes.io/hostname: ${NAME}}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${IMAGE}
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
`,
    });
    await k('wait', '--for=condition=Ready', 'pod/installed', '--timeout=60s');
    expect(await k('exec', 'installed', '--', 'echo', 'hello')).toBe('hello\n');
  }, 240_000);

  it('running it again (here from a tarball of a newer build) upgrades in place: same config and data, services restarted, the pod keeps running', async () => {
    // A "newer build": this tree plus one more file, as a tarball that --from installs.
    await mkdir(path.join(scratch, 'newer/dist'), { recursive: true });
    await writeFile(path.join(scratch, 'newer/dist/upgrade-marker.txt'), NAME);
    const tar = spawn('tar', ['-czf', '-', '-C', REPO, 'package.json', 'package-lock.json', 'dist', 'cni/bin', 'deploy', '-C', path.join(scratch, 'newer'), 'dist/upgrade-marker.txt'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await sh('cat > /tmp/tugboat.tgz', { input: tar.stdout });
    const state = async () => {
      const [agent, server, ...config] = (await sh('cat /run/tugboat/agent.pid /run/tugboat/server.pid /etc/tugboat/agent.env /etc/tugboat/server.env')).split('\n');
      return { agent, server, config };
    };
    const before = await state();
    const container = await k('get', 'pod', 'installed', '-o', 'jsonpath={.status.containerStatuses[0].containerID}');

    const out = await sh(`${SRC}/deploy/install.sh --from /tmp/tugboat.tgz`);
    expect(out).toContain('npm dependencies unchanged: reusing them');
    expect(out).toContain('tug server answers on port 6443');
    expect(out).toContain(`node ${NAME} is Ready`);
    expect(await sh('cat /opt/tugboat/dist/upgrade-marker.txt; ls -d /opt/tugboat.* 2>/dev/null || true')).toBe(NAME);
    const after = await state();
    expect(after.agent).not.toBe(before.agent);
    expect(after.server).not.toBe(before.server);
    expect(after.config).toEqual(before.config);
    expect(await k('get', 'pod', 'installed', '-o', 'jsonpath={.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}')).toBe(`${container} 0`);
  }, 240_000);

  it('uninstall.sh --purge leaves no process, file, unit, iptables chain, bridge or route of Tugboat', async () => {
    const uid = await k('get', 'pod', 'installed', '-o', 'jsonpath={.metadata.uid}');
    const podCgroups = () => sh(`find /sys/fs/cgroup -maxdepth 4 -type d -name 'pod${uid}'`);
    expect(await podCgroups()).not.toBe('');
    const out = await sh('/opt/tugboat/deploy/uninstall.sh --purge');
    expect(out).toContain('Tugboat is uninstalled');
    // The supervisors, redis, server, agent and the dockerd install.sh started are gone.
    expect((await processes()).filter((p) => /supervise|tug\.js|redis-server|dockerd|containerd/.test(p))).toEqual([]);
    expect(await sh('ls -d /opt/tugboat /etc/tugboat /var/lib/tugboat /var/log/tugboat /usr/local/bin/tug /etc/systemd/system/tugboat-* 2>/dev/null || true')).toBe('');
    const rules = await sh('iptables-save');
    expect(rules).not.toContain('TUG-');
    expect(rules).not.toContain('tug-cni');
    expect(await sh('ip -o link show tug0 2>/dev/null || true')).toBe('');
    expect(await sh('ip route show proto 84')).toBe('');
    // The pod's cgroups (in the host's hierarchy, shared with the container) are gone too.
    expect(await podCgroups()).toBe('');
  }, 120_000);
});
