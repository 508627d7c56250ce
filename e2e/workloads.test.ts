/**
 * Workloads end to end: a real `tug server` running every controller and the scheduler, two real
 * `tug agent`s (pods in Docker), driven by kubectl 1.33 as a user would: rollout history with
 * change causes and undo, replacement of a deleted Deployment pod (and none for a bare pod), Jobs
 * that complete or stop at their backoff limit, and a node failure whose pods are recreated on the
 * other node.
 */
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import { kubectl, kubectlOk } from './harness/kubectl.js';
import { startTugAgent, type TugAgent } from './harness/tug-agent.js';
import { startTugServer, type TugServer } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

const IMAGE = 'tugboat/busybox:test';

let server: TugServer;
const agents: TugAgent[] = [];
const k = (...args: string[]) => kubectlOk(server.kubeconfig, args);
const apply = (yaml: string) => kubectlOk(server.kubeconfig, ['apply', '-f', '-'], { input: yaml });
const json = async (...args: string[]) => JSON.parse(await k(...args, '-o', 'json'));

beforeAll(async () => {
  const docker = new Docker();
  await buildBusyboxImage(docker, IMAGE);
  for (const tag of ['v2.1.0', 'v2.2.0']) await docker.getImage(IMAGE).tag({ repo: 'myregistry/model-server', tag });
  server = await startTugServer();
  agents.push(await startTugAgent(server), await startTugAgent(server));
  for (const a of agents) await waitFor(async () => / Ready /.test(await k('get', 'node', a.nodeName)), `node ${a.nodeName} Ready`, 60_000);
}, 240_000);

afterAll(async () => {
  for (const a of agents) await a.stop();
  await server?.stop();
}, 240_000);

/** A Deployment of `replicas` busybox pods that are Ready a moment after they start. */
function deployment(name: string, replicas: number, image: string, extra: { annotations?: Record<string, string>; podSpec?: string } = {}): string {
  const annotations = Object.entries(extra.annotations ?? {}).map(([key, v]) => `    ${key}: ${JSON.stringify(v)}\n`).join('');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${annotations ? `  annotations:\n${annotations}` : ''}spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 2, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
${extra.podSpec ?? ''}      containers:
      - name: app
        image: ${image}
        command: ["sh", "-c", "trap 'exit 0' TERM; touch /tmp/ready; while true; do sleep 0.2; done"]
        readinessProbe: {exec: {command: ["cat", "/tmp/ready"]}, periodSeconds: 1}
        resources: {requests: {cpu: 10m, memory: 16Mi}}
`;
}

async function rolledOut(name: string): Promise<void> {
  const r = await kubectl(server.kubeconfig, ['rollout', 'status', `deployment/${name}`, '--timeout=120s'], { timeoutMs: 150_000 });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`deployment "${name}" successfully rolled out`);
}

/** The images of the Deployment's pods that are not terminating. */
async function podImages(app: string): Promise<string[]> {
  const pods = (await json('get', 'pods', '-l', `app=${app}`)).items.filter((p: any) => !p.metadata.deletionTimestamp);
  return pods.map((p: any) => p.spec.containers[0].image);
}

describe('Deployments', () => {
  it('rollout history lists both revisions with their change cause; undo --to-revision=1 and undo bring the templates back', async () => {
    await apply(deployment('model-server', 5, 'myregistry/model-server:v2.1.0', { annotations: { 'kubernetes.io/change-cause': 'first release v2.1.0' } }));
    await rolledOut('model-server');
    await k('set', 'image', 'deployment/model-server', 'app=myregistry/model-server:v2.2.0');
    await k('annotate', 'deployment/model-server', 'kubernetes.io/change-cause=image v2.2.0', '--overwrite');
    await rolledOut('model-server');
    expect(await podImages('model-server')).toEqual(Array(5).fill('myregistry/model-server:v2.2.0'));
    const history = await k('rollout', 'history', 'deployment/model-server');
    expect(history).toMatch(/^1\s+first release v2\.1\.0$/m);
    expect(history).toMatch(/^2\s+image v2\.2\.0$/m);

    expect(await k('rollout', 'undo', 'deployment/model-server', '--to-revision=1')).toContain('deployment.apps/model-server rolled back');
    await rolledOut('model-server');
    expect(await podImages('model-server')).toEqual(Array(5).fill('myregistry/model-server:v2.1.0'));
    // Revision 1 became revision 3.
    expect(await k('rollout', 'history', 'deployment/model-server')).toMatch(/^2\s+image v2\.2\.0\n3\s+first release v2\.1\.0$/m);

    await k('rollout', 'undo', 'deployment/model-server');
    await rolledOut('model-server');
    expect(await podImages('model-server')).toEqual(Array(5).fill('myregistry/model-server:v2.2.0'));
  }, 300_000);

  it('a deleted Deployment pod is replaced; a deleted bare pod is not', async () => {
    const before: string[] = (await json('get', 'pods', '-l', 'app=model-server')).items.map((p: any) => p.metadata.name);
    await k('delete', 'pod', before[0]!, '--wait=false');
    await waitFor(async () => {
      const now = (await json('get', 'pods', '-l', 'app=model-server')).items.filter((p: any) => !p.metadata.deletionTimestamp);
      return now.length === 5 && !now.some((p: any) => p.metadata.name === before[0]);
    }, 'replacement pod', 60_000);
    await rolledOut('model-server');

    await k('run', 'bare', `--image=${IMAGE}`, '--restart=Never', '--command', '--', 'sleep', '3600');
    await waitFor(async () => (await k('get', 'pod', 'bare', '-o', 'jsonpath={.status.phase}')) === 'Running', 'bare pod Running', 60_000);
    await k('delete', 'pod', 'bare', '--grace-period=1');
    // Give a controller (if any wrongly owned it) time to act, then check nothing came back.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await kubectl(server.kubeconfig, ['get', 'pod', 'bare'])).stderr).toContain('pods "bare" not found');
    expect((await json('get', 'pods')).items.filter((p: any) => p.metadata.name.startsWith('bare'))).toEqual([]);
    await k('delete', 'deployment', 'model-server');
  }, 180_000);
});

describe('Jobs', () => {
  function job(name: string, spec: string, command: string): string {
    return `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
${spec}  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${IMAGE}
        command: ["sh", "-c", "${command}"]
`;
  }

  it('completions 5 / parallelism 2 completes with 5 succeeded pods, never more than 2 running at once', async () => {
    await apply(job('five', '  completions: 5\n  parallelism: 2\n', 'sleep 1; exit 0'));
    let maxActive = 0;
    await waitFor(async () => {
      const j = await json('get', 'job', 'five');
      maxActive = Math.max(maxActive, j.status?.active ?? 0);
      return j.status?.conditions?.some((c: any) => c.type === 'Complete' && c.status === 'True') ?? false;
    }, 'job five Complete', 120_000);
    const j = await json('get', 'job', 'five');
    expect(j.status.succeeded).toBe(5);
    expect(maxActive).toBeLessThanOrEqual(2);
    const pods = (await json('get', 'pods', '-l', 'job-name=five')).items;
    expect(pods.filter((p: any) => p.status.phase === 'Succeeded')).toHaveLength(5);
    expect(await k('get', 'job', 'five')).toMatch(/five\s+Complete\s+5\/5/);
  }, 150_000);

  it('a failing Job stops at its backoffLimit with BackoffLimitExceeded', async () => {
    await apply(job('fails', '  backoffLimit: 1\n', 'exit 3'));
    await waitFor(async () => {
      const j = await json('get', 'job', 'fails');
      return j.status?.conditions?.some((c: any) => c.type === 'Failed' && c.status === 'True') ?? false;
    }, 'job fails Failed', 120_000);
    const j = await json('get', 'job', 'fails');
    expect(j.status.conditions.find((c: any) => c.type === 'Failed').reason).toBe('BackoffLimitExceeded');
    expect(j.status.failed).toBe(2);
    // No pod after the limit.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await json('get', 'pods', '-l', 'job-name=fails')).items).toHaveLength(2);
  }, 150_000);
});

describe('node failure', () => {
  it('a stopped agent makes its node NotReady within the grace period; its pods come back on the other node', async () => {
    const tolerations = `      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
`;
    await apply(deployment('survivor', 2, IMAGE, { podSpec: tolerations }));
    await rolledOut('survivor');
    const placed: { name: string; node: string }[] = (await json('get', 'pods', '-l', 'app=survivor')).items.map((p: any) => ({ name: p.metadata.name, node: p.spec.nodeName }));
    const victim = agents.find((a) => a.nodeName === placed[0]!.node)!;
    const other = agents.find((a) => a !== victim)!;
    const onVictim = placed.filter((p) => p.node === victim.nodeName).map((p) => p.name);

    await victim.kill();
    const lastRenew = Date.parse((await json('get', 'lease', '-n', 'kube-node-lease', victim.nodeName)).spec.renewTime);
    await waitFor(async () => / NotReady /.test(await k('get', 'node', victim.nodeName)), 'node NotReady', 60_000);
    // Upstream's grace period is 40 s from the last heartbeat; the controller checks every few seconds.
    expect(Date.now() - lastRenew).toBeLessThan(50_000);
    const taints = (await json('get', 'node', victim.nodeName)).spec.taints ?? [];
    expect(taints.map((t: any) => `${t.key}:${t.effect}`)).toContain('node.kubernetes.io/unreachable:NoExecute');

    await waitFor(async () => {
      const pods = (await json('get', 'pods', '-l', 'app=survivor')).items.filter((p: any) => !p.metadata.deletionTimestamp);
      const ready = pods.filter((p: any) => p.spec.nodeName === other.nodeName && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 2;
    }, 'both replicas Ready on the other node', 60_000);
    const events = await k('get', 'events', '--field-selector', `involvedObject.name=${onVictim[0]}`);
    expect(events).toMatch(/TaintManagerEviction|Evict/);

    // The node comes back: Ready again, and the evicted pods and their containers are gone.
    await victim.restart();
    await waitFor(async () => / Ready /.test(await k('get', 'node', victim.nodeName)), 'node Ready again', 60_000);
    await waitFor(async () => {
      const names = (await json('get', 'pods', '-l', 'app=survivor')).items.map((p: any) => p.metadata.name);
      return !onVictim.some((n) => names.includes(n));
    }, 'evicted pods removed', 60_000);
    await waitFor(
      () => execFileSync('docker', ['ps', '-q', '--filter', `label=${victim.labelPrefix}io.tugboat.kind`], { encoding: 'utf8' }).trim() === '',
      'containers of evicted pods removed',
      60_000,
    );
  }, 240_000);
});
