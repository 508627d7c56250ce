/**
 * `tug cluster` end to end (slow: about 20 s, plus about a minute on a machine without the node
 * image, which the first create builds): `tug cluster create --nodes 3` gives 3 Ready nodes in
 * kubectl; a pod runs on a worker with an image copied in by `tug cluster load-image`, resolves
 * the kubernetes Service by name and reaches it; `tug cluster delete` leaves no container, network,
 * volume or kubeconfig context. Needs root and a Docker engine. The 3-node e2e suite builds on
 * e2e/harness/cluster.ts.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import { CLUSTER_LABEL, createCluster, deleteCluster, tugCluster, type TugCluster } from './harness/cluster.js';
import { kubectlOk } from './harness/kubectl.js';

const IMAGE = 'tugboat/busybox:test';
const NAME = `e2e-${randomBytes(3).toString('hex')}`;

let cluster: TugCluster | undefined;
const k = (...args: string[]) => kubectlOk(cluster!.kubeconfig, args);
const labelled = (what: 'ps' | 'network' | 'volume') =>
  execFileSync('docker', [...(what === 'ps' ? ['ps', '--all'] : [what, 'ls']), '--quiet', '--filter', `label=${CLUSTER_LABEL}=${NAME}`], { encoding: 'utf8' }).trim();

beforeAll(async () => {
  await buildBusyboxImage(new Docker(), IMAGE);
  cluster = await createCluster(NAME, 3);
}, 600_000);

afterAll(async () => {
  // Also when create or a test failed: delete by name removes whatever exists (again: idempotent).
  if (cluster) await cluster.delete();
  else await deleteCluster(NAME);
}, 120_000);

describe('tug cluster create --nodes 3', () => {
  it('registers three Ready nodes at their cluster addresses, shown by kubectl', async () => {
    const nodes = JSON.parse(await k('get', 'nodes', '-o', 'json')).items;
    const summary = nodes.map((n: any) => ({
      name: n.metadata.name,
      ready: n.status.conditions.find((c: any) => c.type === 'Ready')?.status,
      ip: n.status.addresses.find((a: any) => a.type === 'InternalIP')?.address,
    }));
    expect(summary.sort((a: any, b: any) => a.name.localeCompare(b.name))).toEqual(
      [`${NAME}-control-plane`, `${NAME}-worker`, `${NAME}-worker2`].map((name) => ({ name, ready: 'True', ip: cluster!.nodes.find((n) => n.name === name)!.ip })),
    );
    expect(await k('get', 'nodes')).toMatch(new RegExp(`${NAME}-worker2\\s+Ready`));
  });

  it('runs a pod on a worker with a loaded image; it resolves and reaches the kubernetes Service', async () => {
    await cluster!.loadImage(IMAGE);
    const worker = `${NAME}-worker`;
    await kubectlOk(cluster!.kubeconfig, ['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: on-worker}
spec:
  nodeSelector: {kubernetes.io/hostname: ${worker}}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${IMAGE}
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
    resources: {limits: {cpu: 100m, memory: 32Mi}}
`,
    });
    await k('wait', '--for=condition=Ready', 'pod/on-worker', '--timeout=60s');
    expect(await k('get', 'pod', 'on-worker', '-o', 'jsonpath={.spec.nodeName}')).toBe(worker);
    const exec = (script: string) => k('exec', 'on-worker', '--', 'sh', '-c', script);
    expect(await exec('nslookup kubernetes.default.svc.cluster.local')).toContain('10.96.0.1');
    expect(await exec('echo | timeout 5 nc -w 3 kubernetes.default.svc.cluster.local 443 >/dev/null && echo connected')).toContain('connected');
    // The memory limit reached the nested engine's cgroup.
    expect((await exec('cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max')).trim()).toBe(String(32 * 2 ** 20));
  }, 120_000);
});

describe('tug cluster delete', () => {
  it('leaves no container, network, volume or kubeconfig context', async () => {
    const r = await tugCluster(['delete', '--name', NAME]);
    expect(r.code, r.output).toBe(0);
    expect([labelled('ps'), labelled('network'), labelled('volume')]).toEqual(['', '', '']);
    expect(readFileSync(cluster!.kubeconfig, 'utf8')).not.toContain(`tugboat-${NAME}`);
  }, 120_000);
});
