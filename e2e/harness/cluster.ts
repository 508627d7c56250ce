/**
 * Test harness: a multi-node cluster in Docker made by the real `tug cluster` command (the built
 * dist/ binary), with its own kubeconfig file in a temp dir. The first create on a machine builds
 * the node image (about a minute); later ones take seconds. delete() removes the containers,
 * network, volumes and the temp dir; deleteCluster(name) does so by name when create failed
 * half-way, so an afterAll can always call it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TUG_BIN } from './tug-server.js';

/** Label every container, network and volume of a `tug cluster` carries (value: the cluster name). */
export const CLUSTER_LABEL = 'dev.tugboat.cluster';

export interface ClusterNode {
  name: string;
  role: 'control-plane' | 'worker';
  /** Address on the cluster's Docker network (the node's InternalIP). */
  ip: string;
}

export interface TugCluster {
  name: string;
  kubeconfig: string;
  /** Control plane first, then the workers in name order. */
  nodes: ClusterNode[];
  /** Output of `tug cluster create` (progress lines and the result). */
  createOutput: string;
  /** Runs `sh -c script` in a node; rejects with its output when it exits non-zero. */
  exec(node: string, script: string): Promise<string>;
  /** The log of a process in a node (agent, server, redis, dockerd), for failure messages. */
  logs(node: string, process: 'agent' | 'server' | 'redis' | 'dockerd'): Promise<string>;
  /** `tug cluster load-image`: copies host images into every node. */
  loadImage(...images: string[]): Promise<void>;
  /** `tug cluster delete`, and removes the kubeconfig's temp dir. Idempotent. */
  delete(): Promise<void>;
}

export interface TugResult {
  code: number;
  output: string;
}

/** Runs `tug cluster args…`; resolves with its exit code and its stdout and stderr together. */
export function tugCluster(args: string[], timeoutMs = 600_000): Promise<TugResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [TUG_BIN, 'cluster', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (c) => (output += c));
    proc.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

async function tugClusterOk(args: string[]): Promise<string> {
  const r = await tugCluster(args);
  if (r.code !== 0) throw new Error(`tug cluster ${args.join(' ')} exited ${r.code}:\n${r.output}`);
  return r.output;
}

const docker = async (args: string[]) => (await promisify(execFile)('docker', args, { maxBuffer: 64 << 20 })).stdout;

/** The node containers of cluster `name`, control plane first. */
export async function clusterNodes(name: string): Promise<ClusterNode[]> {
  const ids = (await docker(['ps', '--all', '--quiet', '--filter', `label=${CLUSTER_LABEL}=${name}`])).split('\n').filter(Boolean);
  if (!ids.length) return [];
  const format = `{{.Name}} {{index .Config.Labels "dev.tugboat.role"}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}`;
  const nodes = (await docker(['inspect', '--format', format, ...ids]))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [n, role, ip] = line.split(' ');
      return { name: n!.replace(/^\//, ''), role: role as ClusterNode['role'], ip: ip ?? '' };
    });
  return nodes.sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'control-plane' ? -1 : 1));
}

/** Removes cluster `name` (what exists of it) with `tug cluster delete`. */
export async function deleteCluster(name: string): Promise<void> {
  await tugClusterOk(['delete', '--name', name]);
}

/** Creates a cluster of `nodes` nodes named `name` (unique per test file) and waits until all are Ready. */
export async function createCluster(name: string, nodes: number): Promise<TugCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-cluster-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  let createOutput: string;
  try {
    createOutput = await tugClusterOk(['create', '--name', name, '--nodes', String(nodes), '--kubeconfig', kubeconfig]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const exec = async (node: string, script: string) => {
    try {
      return await docker(['exec', node, 'sh', '-c', script]);
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${script} in ${node} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  };
  return {
    name,
    kubeconfig,
    nodes: await clusterNodes(name),
    createOutput,
    exec,
    logs: (node, process) => exec(node, `tail -n 200 /var/log/tugboat/${process}.log`),
    loadImage: async (...images) => void (await tugClusterOk(['load-image', '--name', name, ...images])),
    delete: async () => {
      await tugClusterOk(['delete', '--name', name, '--kubeconfig', kubeconfig]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
