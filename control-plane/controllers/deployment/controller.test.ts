/**
 * The Deployment and ReplicaSet controllers against a real API server (real redis-server), driven
 * by real kubectl 1.33, with a fake kubelet that binds and starts pods (and never readies pods of a
 * "broken" image). Every pod event of a rollout is watched and the RollingUpdate bounds checked at
 * each one.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk } from '../../../e2e/harness/kubectl.js';
import { startTugServer, type TugServer } from '../../../e2e/harness/tug-server.js';
import { waitFor } from '../../../e2e/harness/wait.js';
import { storageResource } from '../../api/registry.js';
import type { ApiClient } from '../../client/api-client.js';
import { Informer } from '../../client/informer.js';
import { REVISION, REVISION_HISTORY } from './annotations.js';
import { startControllerTestEnv, type ControllerTestEnv } from './test-env.js';

const BROKEN_IMAGE = 'myregistry/model-server:broken';
const deployments = storageResource('apps/deployments');
const replicaSets = storageResource('apps/replicasets');
const pods = storageResource('core/pods');
const events = storageResource('core/events');
const namespaces = storageResource('core/namespaces');

let server: TugServer;
let env: ControllerTestEnv;
let client: ApiClient;

beforeAll(async () => {
  // The test runs the controllers under test itself; the server runs only the basic ones.
  server = await startTugServer({ extraArgs: ['--controllers', 'namespace,nodeipam'] });
  env = await startControllerTestEnv(server, { kubelet: { startDelayMs: 200, neverReadyImages: [BROKEN_IMAGE] } });
  client = env.client;
}, 120_000);

afterAll(async () => {
  await env?.stop();
  await server?.stop();
});

const k = (...args: string[]) => kubectlOk(server.kubeconfig, args);

let nsCount = 0;
async function namespace(): Promise<string> {
  const name = `deploy-test-${++nsCount}`;
  await client.create(namespaces, undefined, { metadata: { name } });
  return name;
}

interface DeploymentYaml {
  name: string;
  replicas: number;
  image: string;
  strategy?: string;
  extraSpec?: string;
  changeCause?: string;
}

function deploymentYaml(ns: string, o: DeploymentYaml): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${o.name}
  namespace: ${ns}
${o.changeCause ? `  annotations:\n    kubernetes.io/change-cause: "${o.changeCause}"\n` : ''}spec:
  replicas: ${o.replicas}
${o.extraSpec ?? ''}  selector:
    matchLabels:
      app: ${o.name}
  template:
    metadata:
      labels:
        app: ${o.name}
    spec:
      containers:
      - name: ${o.name}
        image: ${o.image}
  strategy:
${o.strategy ?? '    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 2\n      maxUnavailable: 0\n'}`;
}

async function apply(yaml: string): Promise<void> {
  await kubectlOk(server.kubeconfig, ['apply', '-f', '-'], { input: yaml });
}

async function rolloutStatus(ns: string, name: string, timeout = '60s') {
  return kubectl(server.kubeconfig, ['rollout', 'status', `deployment/${name}`, '-n', ns, `--timeout=${timeout}`], { timeoutMs: 120_000 });
}

async function rolledOut(ns: string, name: string): Promise<string> {
  const r = await rolloutStatus(ns, name);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`deployment "${name}" successfully rolled out`);
  return r.stdout;
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const imageOf = (p: Pod) => p.spec?.containers?.[0]?.image;

async function activePods(ns: string, app: string): Promise<Pod[]> {
  return (await client.list<Pod>(pods, ns, { labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
}

async function replicaSetsOf(ns: string, app: string): Promise<ReplicaSet[]> {
  return (await client.list<ReplicaSet>(replicaSets, ns, { labelSelector: `app=${app}` })).items;
}

async function getDeployment(ns: string, name: string): Promise<Deployment> {
  return client.get<Deployment>(deployments, ns, name);
}

async function eventMessages(ns: string, reason: string): Promise<string[]> {
  const list = await client.list<any>(events, ns);
  return list.items
    .filter((e) => e.reason === reason)
    .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)))
    .map((e) => e.message);
}

type StoredPod = Pod & { metadata: NonNullable<Pod['metadata']> };

/**
 * Watches every pod event of an app and records, after each, the number of active (not
 * terminating) pods and of active Ready ones, and any moment where pods of two images coexist.
 */
async function watchPods(ns: string, app: string) {
  const informer = new Informer<StoredPod>(client, pods, pino({ level: 'silent' }), { namespace: ns, labelSelector: `app=${app}` });
  const seen = { maxActive: 0, minReady: Infinity, mixed: false, timeline: [] as string[] };
  let synced = false;
  const check = () => {
    // The first list arrives as one add per pod: judge only complete states.
    if (!synced) return;
    const all = informer.list();
    const active = all.filter((p) => !p.metadata.deletionTimestamp);
    seen.maxActive = Math.max(seen.maxActive, active.length);
    seen.minReady = Math.min(seen.minReady, active.filter(isReady).length);
    seen.timeline.push(`${active.length} active, ${active.filter(isReady).length} Ready: ${all.map((p) => `${p.metadata.name}${isReady(p) ? '+ready' : ''}${p.metadata.deletionTimestamp ? '+terminating' : ''}`).join(' ')}`);
    if (new Set(all.map(imageOf)).size > 1) seen.mixed = true;
  };
  informer.addHandlers({ onAdd: check, onUpdate: check, onDelete: check });
  informer.start();
  await informer.waitForSync();
  synced = true;
  check();
  return { seen, stop: () => informer.stop() };
}

describe("the article's Deployment (5 replicas, maxSurge 2, maxUnavailable 0)", () => {
  const name = 'model-server';
  let ns: string;
  const hashes: string[] = [];

  beforeAll(async () => {
    ns = await namespace();
    await apply(deploymentYaml(ns, { name, replicas: 5, image: 'myregistry/model-server:v2.1.0', changeCause: 'deploy v2.1.0' }));
    await rolledOut(ns, name);
  });

  it('kubectl set image rolls out with never fewer than 5 Ready pods nor more than 7 pods', async () => {
    const [first] = await replicaSetsOf(ns, name);
    hashes.push(first!.metadata!.labels!['pod-template-hash']!);
    const watch = await watchPods(ns, name);
    try {
      await k('set', 'image', `deployment/${name}`, `${name}=myregistry/model-server:v2.2.0`, '-n', ns);
      await k('annotate', `deployment/${name}`, 'kubernetes.io/change-cause=update to v2.2.0', '--overwrite', '-n', ns);
      const out = await rolledOut(ns, name);
      expect(out).toMatch(/Waiting for deployment "model-server" rollout to finish: \d+ (out of 5 new replicas have been updated|old replicas are pending termination|of 5 updated replicas are available)\.\.\./);
      await waitFor(async () => watch.seen.maxActive >= 7 && (await activePods(ns, name)).length === 5, 'old pods gone');
    } finally {
      watch.stop();
    }
    expect(watch.seen.maxActive, watch.seen.timeline.join('\n')).toBe(7);
    expect(watch.seen.minReady, watch.seen.timeline.join('\n')).toBe(5);

    const running = await activePods(ns, name);
    expect(running.map(imageOf)).toEqual(Array(5).fill('myregistry/model-server:v2.2.0'));
    const rss = await replicaSetsOf(ns, name);
    expect(rss).toHaveLength(2);
    const second = rss.find((rs) => rs.metadata!.uid !== first!.metadata!.uid)!;
    hashes.push(second.metadata!.labels!['pod-template-hash']!);
    expect(second.metadata!.name).toBe(`${name}-${hashes[1]}`);
    expect(second.metadata!.annotations).toMatchObject({ [REVISION]: '2', 'kubernetes.io/change-cause': 'update to v2.2.0', 'deployment.kubernetes.io/desired-replicas': '5', 'deployment.kubernetes.io/max-replicas': '7' });
    expect(second.spec!.selector!.matchLabels).toEqual({ app: name, 'pod-template-hash': hashes[1] });

    const d = await getDeployment(ns, name);
    expect(d.metadata!.annotations![REVISION]).toBe('2');
    expect(d.status).toMatchObject({ replicas: 5, updatedReplicas: 5, readyReplicas: 5, availableReplicas: 5, observedGeneration: d.metadata!.generation });
    expect(d.status!.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }),
        expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}-${hashes[1]}" has successfully progressed.` }),
      ]),
    );
    // How many pods move per step depends on when they become Ready; the bounds above are what holds.
    const scaling = await eventMessages(ns, 'ScalingReplicaSet');
    expect(scaling[0]).toBe(`Scaled up replica set ${name}-${hashes[0]} from 0 to 5`);
    expect(scaling[1]).toBe(`Scaled up replica set ${name}-${hashes[1]} from 0 to 2`);
    expect(scaling).toContain(`Scaled up replica set ${name}-${hashes[1]} from 4 to 5`);
    expect(scaling.at(-1)).toMatch(new RegExp(`^Scaled down replica set ${name}-${hashes[0]} from [12] to 0$`));
    for (const m of scaling) expect(m).toMatch(/^Scaled (up|down) replica set model-server-[a-z0-9]+ from \d to \d$/);
  });

  it('kubectl rollout history lists both revisions with their change-cause', async () => {
    const out = await k('rollout', 'history', `deployment/${name}`, '-n', ns);
    expect(out).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(out).toMatch(/^1\s+deploy v2\.1\.0$/m);
    expect(out).toMatch(/^2\s+update to v2\.2\.0$/m);
    const rev1 = await k('rollout', 'history', `deployment/${name}`, '-n', ns, '--revision=1');
    expect(rev1).toContain('myregistry/model-server:v2.1.0');
    expect(rev1).toContain(`pod-template-hash=${hashes[0]}`);
  });

  it('kubectl rollout undo brings the old template back on its old ReplicaSet, as revision 3', async () => {
    const watch = await watchPods(ns, name);
    try {
      expect(await k('rollout', 'undo', `deployment/${name}`, '-n', ns)).toContain(`deployment.apps/${name} rolled back`);
      await rolledOut(ns, name);
      await waitFor(async () => (await activePods(ns, name)).length === 5, 'surge pods gone');
    } finally {
      watch.stop();
    }
    expect(watch.seen.maxActive, watch.seen.timeline.join('\n')).toBeLessThanOrEqual(7);
    expect(watch.seen.minReady, watch.seen.timeline.join('\n')).toBeGreaterThanOrEqual(5);
    expect((await activePods(ns, name)).map(imageOf)).toEqual(Array(5).fill('myregistry/model-server:v2.1.0'));
    const rss = await replicaSetsOf(ns, name);
    expect(rss.map((rs) => rs.metadata!.name).sort()).toEqual([`${name}-${hashes[0]}`, `${name}-${hashes[1]}`].sort());
    const reused = rss.find((rs) => rs.metadata!.name === `${name}-${hashes[0]}`)!;
    expect(reused.metadata!.annotations).toMatchObject({ [REVISION]: '3', [REVISION_HISTORY]: '1', 'kubernetes.io/change-cause': 'deploy v2.1.0' });
    expect(reused.spec!.replicas).toBe(5);
    expect((await getDeployment(ns, name)).metadata!.annotations).toMatchObject({ [REVISION]: '3', 'kubernetes.io/change-cause': 'deploy v2.1.0' });
  });

  it('kubectl rollout undo --to-revision=2 brings revision 2 back as revision 4', async () => {
    expect(await k('rollout', 'undo', `deployment/${name}`, '-n', ns, '--to-revision=2')).toContain(`deployment.apps/${name} rolled back`);
    await rolledOut(ns, name);
    await waitFor(async () => (await activePods(ns, name)).length === 5, 'surge pods gone');
    expect((await activePods(ns, name)).map(imageOf)).toEqual(Array(5).fill('myregistry/model-server:v2.2.0'));
    const rss = await replicaSetsOf(ns, name);
    expect(rss).toHaveLength(2);
    expect(rss.find((rs) => rs.metadata!.name === `${name}-${hashes[1]}`)!.metadata!.annotations).toMatchObject({ [REVISION]: '4', [REVISION_HISTORY]: '2' });
    const out = await k('rollout', 'history', `deployment/${name}`, '-n', ns);
    expect(out).toMatch(/^3\s+deploy v2\.1\.0$/m);
    expect(out).toMatch(/^4\s+update to v2\.2\.0$/m);
  });
});

describe('a rollout whose new pods never become Ready', () => {
  const name = 'stall';
  let ns: string;

  beforeAll(async () => {
    ns = await namespace();
    const strategy = '    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n';
    await apply(deploymentYaml(ns, { name, replicas: 3, image: 'myregistry/model-server:v2.1.0', strategy, extraSpec: '  progressDeadlineSeconds: 10\n' }));
    await rolledOut(ns, name);
  });

  it('stalls with the old pods serving, then reports ProgressDeadlineExceeded and rollout status fails', async () => {
    const started = Date.now();
    await k('set', 'image', `deployment/${name}`, `${name}=${BROKEN_IMAGE}`, '-n', ns);
    const r = await rolloutStatus(ns, name);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`error: deployment "${name}" exceeded its progress deadline`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);

    const d = await getDeployment(ns, name);
    const newRS = (await replicaSetsOf(ns, name)).find((rs) => rs.spec!.template!.spec!.containers[0]!.image === BROKEN_IMAGE)!;
    expect(d.status!.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${newRS.metadata!.name}" has timed out progressing.` }),
        expect.objectContaining({ type: 'Available', status: 'True' }),
      ]),
    );
    const active = await activePods(ns, name);
    expect(active.filter((p) => imageOf(p) === 'myregistry/model-server:v2.1.0' && isReady(p))).toHaveLength(3);
    expect(active.filter((p) => imageOf(p) === BROKEN_IMAGE && !isReady(p))).toHaveLength(1);
  });

  it('kubectl scale during the stalled rollout scales both ReplicaSets in proportion', async () => {
    await k('scale', `deployment/${name}`, '--replicas=8', '-n', ns);
    await waitFor(async () => {
      const rss = await replicaSetsOf(ns, name);
      return rss.map((rs) => `${rs.spec!.template!.spec!.containers[0]!.image}=${rs.spec!.replicas}`).sort().join(' ') === `${BROKEN_IMAGE}=2 myregistry/model-server:v2.1.0=7`;
    }, 'old 7 + new 2');
  });

  it('kubectl rollout undo recovers', async () => {
    await k('rollout', 'undo', `deployment/${name}`, '-n', ns);
    await rolledOut(ns, name);
    await waitFor(async () => (await activePods(ns, name)).length === 8, '8 pods');
    expect((await activePods(ns, name)).every((p) => imageOf(p) === 'myregistry/model-server:v2.1.0' && isReady(p))).toBe(true);
  });
});

describe('pause, scale, resume', () => {
  it('a paused Deployment scales but does not roll out until resumed', async () => {
    const ns = await namespace();
    const name = 'paused';
    await apply(deploymentYaml(ns, { name, replicas: 2, image: 'app:v1' }));
    await rolledOut(ns, name);
    expect(await k('rollout', 'pause', `deployment/${name}`, '-n', ns)).toContain(`deployment.apps/${name} paused`);
    await k('set', 'image', `deployment/${name}`, `${name}=app:v2`, '-n', ns);
    await waitFor(async () => (await getDeployment(ns, name)).status?.conditions?.some((c) => c.reason === 'DeploymentPaused') ?? false, 'DeploymentPaused');
    const paused = await getDeployment(ns, name);
    expect(paused.status!.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', message: 'Deployment is paused' });

    await k('scale', `deployment/${name}`, '--replicas=3', '-n', ns);
    await waitFor(async () => (await activePods(ns, name)).filter(isReady).length === 3, '3 Ready pods');
    expect(await replicaSetsOf(ns, name)).toHaveLength(1);
    expect((await activePods(ns, name)).map(imageOf)).toEqual(['app:v1', 'app:v1', 'app:v1']);

    expect(await k('rollout', 'resume', `deployment/${name}`, '-n', ns)).toContain(`deployment.apps/${name} resumed`);
    await rolledOut(ns, name);
    await waitFor(async () => (await activePods(ns, name)).length === 3, 'surge pods gone');
    expect((await activePods(ns, name)).map(imageOf)).toEqual(['app:v2', 'app:v2', 'app:v2']);
  });
});

describe('pods of a Deployment', () => {
  it('kubectl delete pod: a replacement appears; a bare pod is not replaced', async () => {
    const ns = await namespace();
    const name = 'heal';
    await apply(deploymentYaml(ns, { name, replicas: 2, image: 'app:v1' }));
    await rolledOut(ns, name);
    const [victim] = await activePods(ns, name);
    await k('delete', 'pod', victim!.metadata!.name!, '-n', ns, '--wait=false');
    await waitFor(async () => {
      const now = await activePods(ns, name);
      return now.length === 2 && now.every((p) => p.metadata!.uid !== victim!.metadata!.uid && isReady(p));
    }, 'a Ready replacement');

    await k('run', 'bare', '--image=app:v1', '--restart=Never', '-n', ns);
    await waitFor(async () => (await client.get<Pod>(pods, ns, 'bare')).status?.phase === 'Running', 'bare pod running');
    await k('delete', 'pod', 'bare', '-n', ns);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await client.list<Pod>(pods, ns)).items.map((p) => p.metadata!.name).filter((n) => !n!.startsWith(`${name}-`))).toEqual([]);
  });
});

describe('Recreate', () => {
  it('removes every old pod before creating a new one', async () => {
    const ns = await namespace();
    const name = 'recreate';
    await apply(deploymentYaml(ns, { name, replicas: 3, image: 'app:v1', strategy: '    type: Recreate\n' }));
    await rolledOut(ns, name);
    const watch = await watchPods(ns, name);
    try {
      await k('set', 'image', `deployment/${name}`, `${name}=app:v2`, '-n', ns);
      await rolledOut(ns, name);
    } finally {
      watch.stop();
    }
    expect(watch.seen.mixed).toBe(false);
    expect((await activePods(ns, name)).map(imageOf)).toEqual(['app:v2', 'app:v2', 'app:v2']);
  });
});

describe('rollout restart and revisionHistoryLimit', () => {
  it('each restart makes a new ReplicaSet; only revisionHistoryLimit old ones are kept', async () => {
    const ns = await namespace();
    const name = 'restart';
    await apply(deploymentYaml(ns, { name, replicas: 1, image: 'app:v1', extraSpec: '  revisionHistoryLimit: 1\n' }));
    await rolledOut(ns, name);
    for (let i = 0; i < 2; i++) {
      // kubectl stamps the template with the current second: keep restarts a second apart.
      await new Promise((r) => setTimeout(r, 1100));
      expect(await k('rollout', 'restart', `deployment/${name}`, '-n', ns)).toContain(`deployment.apps/${name} restarted`);
      await rolledOut(ns, name);
    }
    await waitFor(async () => (await replicaSetsOf(ns, name)).length === 2, 'the oldest ReplicaSet deleted');
    const d = await getDeployment(ns, name);
    expect(d.metadata!.annotations![REVISION]).toBe('3');
    expect(d.spec!.template.metadata!.annotations!['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    expect((await replicaSetsOf(ns, name)).map((rs) => rs.metadata!.annotations![REVISION]).sort()).toEqual(['2', '3']);
  });
});
