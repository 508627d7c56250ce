/**
 * One node of a `tug cluster`: a container of the node image running its own dockerd, and on the
 * first node also redis-server and `tug server`, under deploy/node-image/entrypoint.sh.
 *
 * Node.js and Tugboat are not baked into the image: the host's node binary (host and image are
 * both Debian 12) and this repository (dist/, node_modules/, cni/bin, deploy/) are bind-mounted
 * read-only, so a code change needs `npm run build` and a node restart, never an image rebuild.
 *
 * Security: `--privileged` where the host allows it; where it fails (a capability missing from
 * the bounding set, as on this project's CI machines) the explicit list of ENVIRONMENT.md. Both
 * share the host's cgroup namespace and hierarchy (/sys/fs/cgroup bind-mounted read-write), so
 * the nested engine's and the agent's cgroups are ordinary host cgroups, on cgroup v1 and v2.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { DockerError, type DockerCli } from './docker-cli.js';
import { deviceArgs } from './gpu.js';
import { dockerVolumeName, LABEL_CLUSTER, LABEL_ROLE, type NodeName } from './names.js';

/** Where the repository appears inside a node. */
export const NODE_REPO_DIR = '/opt/tugboat';
/** The node's init (see the script). */
const NODE_ENTRYPOINT = `${NODE_REPO_DIR}/deploy/node-image/entrypoint.sh`;
/** Run by `tug cluster delete` in each running node (deploy/node-image/cleanup.sh). */
export const NODE_CLEANUP_SCRIPT = `${NODE_REPO_DIR}/deploy/node-image/cleanup.sh`;
/** Paths inside a node; deploy/node-image/entrypoint.sh uses the same. */
export const NODE_PATHS = {
  serverDataDir: '/var/lib/tugboat/server',
  agentArgs: '/etc/tugboat/agent.args',
  logs: '/var/log/tugboat',
};

export type SecurityMode = 'privileged' | 'capabilities';

/** ENVIRONMENT.md's replacement for --privileged: everything but CAP_SYS_RESOURCE, no seccomp/AppArmor/masked paths, all devices. */
const CAPABILITIES_ARGS = [
  '--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE',
  '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined',
  '--device-cgroup-rule', 'a *:* rwm',
];

export interface NodeContainerSpec {
  cluster: string;
  node: NodeName;
  network: string;
  /** The node's fixed address on the cluster network. */
  ip: string;
  image: string;
  /** Host path of the node binary, mounted at /usr/local/bin/node. */
  nodeBinary: string;
  /** Host path of this repository, mounted at NODE_REPO_DIR. */
  repo: string;
  /** Host device nodes given to the node (GPUs). */
  devices: string[];
  /** Extra labels on the container. */
  labels?: Record<string, string>;
}

/**
 * The `docker run` options a container needs to run its own Docker engine (and pods in it): the
 * security mode, the host's cgroup namespace and hierarchy, a tmpfs /run. The nested engine's
 * /var/lib/docker must be a volume (overlay2 cannot stack on the container's overlay): the caller
 * adds one.
 */
export function nestedEngineArgs(mode: SecurityMode): string[] {
  return [
    ...(mode === 'privileged' ? ['--privileged'] : CAPABILITIES_ARGS),
    '--cgroupns', 'host', '--volume', '/sys/fs/cgroup:/sys/fs/cgroup:rw',
    '--tmpfs', '/run',
  ];
}

/** The `docker run` arguments of a node container (detached), up to and including the image. */
export function nodeRunArgs(spec: NodeContainerSpec, mode: SecurityMode): string[] {
  const labels = { [LABEL_CLUSTER]: spec.cluster, [LABEL_ROLE]: spec.node.role, ...spec.labels };
  return [
    'run', '--detach', '--name', spec.node.name, '--hostname', spec.node.name,
    ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    '--network', spec.network, '--ip', spec.ip,
    '--init',
    ...nestedEngineArgs(mode),
    // The nested engine's overlay2 needs a non-overlay filesystem under it.
    '--mount', `type=volume,source=${dockerVolumeName(spec.node.name)},target=/var/lib/docker,volume-label=${LABEL_CLUSTER}=${spec.cluster}`,
    '--volume', `${spec.nodeBinary}:/usr/local/bin/node:ro`,
    '--volume', `${spec.repo}:${NODE_REPO_DIR}:ro`,
    ...deviceArgs(spec.devices),
    '--env', `TUG_ROLE=${spec.node.role}`, '--env', `TUG_NODE_IP=${spec.ip}`,
    '--entrypoint', NODE_ENTRYPOINT,
    spec.image,
  ];
}

/** Whether the CapBnd line of a /proc/PID/status text holds every capability up to `lastCap`. */
export function boundingSetIsFull(procStatus: string, lastCap: number): boolean {
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(procStatus)?.[1];
  if (!hex) return false;
  const all = (1n << BigInt(lastCap + 1)) - 1n;
  return (BigInt(`0x${hex}`) & all) === all;
}

/**
 * Whether --privileged can work here: the engine grants a privileged container every capability,
 * which fails when the bounding set lacks one. Judged from this process's bounding set (the engine
 * usually runs on the same host with the same set); a wrong guess only costs the fallback.
 */
export async function privilegedLikely(): Promise<boolean> {
  try {
    const lastCap = Number((await readFile('/proc/sys/kernel/cap_last_cap', 'utf8')).trim());
    return boundingSetIsFull(await readFile('/proc/self/status', 'utf8'), lastCap);
  } catch {
    return true;
  }
}

/**
 * Starts a node container. With mode 'auto' it tries --privileged first and falls back to the
 * capability list when the engine cannot start a privileged container; resolves with the mode
 * that worked (give it to the next nodes). Rejects when the container cannot start either way.
 */
export async function startNodeContainer(docker: DockerCli, spec: NodeContainerSpec, mode: SecurityMode | 'auto', log: Logger): Promise<SecurityMode> {
  if (mode !== 'auto') {
    await docker.run(nodeRunArgs(spec, mode));
    return mode;
  }
  try {
    await docker.run(nodeRunArgs(spec, 'privileged'));
    return 'privileged';
  } catch (err) {
    if (!(err instanceof DockerError)) throw err;
    log.info({ node: spec.node.name, err: err.stderr.trim() }, 'privileged node container failed; using the explicit capability list');
    await docker.run(['rm', '--force', '--volumes', spec.node.name]);
    await docker.run(nodeRunArgs(spec, 'capabilities'));
    return 'capabilities';
  }
}

/** Runs `sh -c script` in a node (as root), `input` on its stdin; resolves with its stdout. */
export function execInNode(docker: DockerCli, node: string, script: string, input?: string): Promise<string> {
  return docker.run(['exec', ...(input === undefined ? [] : ['--interactive']), node, 'sh', '-c', script], { input });
}
