/**
 * StatefulSets and DaemonSets end to end: a real `tug server`, a real `tug agent` running Docker
 * containers, the two controllers, and real kubectl 1.33. The scheduler is not part of this test:
 * TestBinder binds pods (honouring the DaemonSet pods' node affinity). A StatefulSet of 3 starts
 * 0,1,2 each after the previous is Ready, a deleted pod comes back under its name, scale to 0
 * removes 2,1,0 each after the previous is gone; `kubectl rollout status|history|undo` work for both
 * kinds.
 */
import Docker from 'dockerode';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../../../agent/runtime/docker/images.js';
import { kubectlOk } from '../../../e2e/harness/kubectl.js';
import { startTugAgent, type TugAgent } from '../../../e2e/harness/tug-agent.js';
import { startTugServer, type TugServer } from '../../../e2e/harness/tug-server.js';
import { waitFor } from '../../../e2e/harness/wait.js';
import { Informer } from '../../client/informer.js';
import { startDaemonSetController } from '../daemonset/controller.js';
import { startStatefulSetController } from '../statefulset/controller.js';
import { controllerHarness, podType, TestBinder, type ControllerHarness } from './controller-harness.js';

const IMAGE = 'tugboat/busybox:test';
const NS = 'workloads';

let server: TugServer;
let agent: TugAgent;
let harness: ControllerHarness;
let binder: TestBinder;
let timeline: PodTimeline;

const k = (...args: string[]) => kubectlOk(server.kubeconfig, ['-n', NS, ...args], { timeoutMs: 120_000 });
const apply = (yaml: string) => kubectlOk(server.kubeconfig, ['apply', '-f', '-'], { input: yaml });
const isReady = (p: any) => p.status?.phase === 'Running' && p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

/** When each pod (by uid) was first seen, became Ready, started terminating and was gone. */
class PodTimeline {
  readonly pods = new Map<string, { name: string; seen: number; ready?: number; deleting?: number; gone?: number }>();
  private readonly informer: Informer;

  constructor() {
    this.informer = new Informer(harness.client, podType, pino({ level: 'silent' }), { namespace: NS });
    const note = (p: any) => {
      let e = this.pods.get(p.metadata.uid);
      if (!e) this.pods.set(p.metadata.uid, (e = { name: p.metadata.name, seen: Date.now() }));
      if (isReady(p)) e.ready ??= Date.now();
      if (p.metadata.deletionTimestamp) e.deleting ??= Date.now();
    };
    this.informer.addHandlers({ onAdd: note, onUpdate: (_o, p) => note(p), onDelete: (p) => (this.pods.get(p.metadata.uid)!.gone = Date.now()) });
  }

  start(): Promise<void> {
    this.informer.start();
    return this.informer.waitForSync();
  }

  stop(): void {
    this.informer.stop();
  }

  /** The entries of a pod name, oldest first. */
  of(name: string) {
    return [...this.pods.values()].filter((e) => e.name === name).sort((a, b) => a.seen - b.seen);
  }
}

beforeAll(async () => {
  await buildBusyboxImage(new Docker(), IMAGE);
  // The test runs the controllers under test itself; the server runs only the basic ones.
  server = await startTugServer({ extraArgs: ['--controllers', 'namespace,nodeipam'] });
  agent = await startTugAgent(server);
  harness = controllerHarness(server);
  binder = new TestBinder(harness.client);
  await binder.start();
  await harness.run(startStatefulSetController, startDaemonSetController);
  await kubectlOk(server.kubeconfig, ['create', 'namespace', NS]);
  timeline = new PodTimeline();
  await timeline.start();
}, 180_000);

afterAll(async () => {
  timeline?.stop();
  await harness?.stop();
  await binder?.stop();
  await agent?.stop();
  await server?.stop();
}, 180_000);

describe('StatefulSet on a real agent', () => {
  it('starts web-0,1,2 in order, brings a deleted pod back under its name, rolls an update and undoes it, and scales down 2,1,0', async () => {
    await apply(`apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: ${NS}}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: main
        image: ${IMAGE}
        command: ["sh", "-c", "hostname > /tmp/name; exec sleep 3600"]
        readinessProbe:
          exec: {command: ["cat", "/tmp/name"]}
          periodSeconds: 1
`);
    expect(await k('rollout', 'status', 'sts/web', '--timeout=90s')).toMatch(/partitioned roll out complete: 3 new pods have been updated/);
    const [w0, w1, w2] = ['web-0', 'web-1', 'web-2'].map((n) => timeline.of(n)[0]!);
    expect(w1.seen, 'web-1 is created after web-0 is Ready').toBeGreaterThanOrEqual(w0.ready!);
    expect(w2.seen, 'web-2 is created after web-1 is Ready').toBeGreaterThanOrEqual(w1.ready!);
    expect(await k('get', 'pods', '-l', 'app=web')).toMatch(/web-0\s+1\/1\s+Running[\s\S]*web-1\s+1\/1\s+Running[\s\S]*web-2\s+1\/1\s+Running/);
    expect((await k('exec', 'web-1', '--', 'cat', '/tmp/name')).trim()).toBe('web-1');

    const before = JSON.parse(await k('get', 'pod', 'web-1', '-o', 'json'));
    await k('delete', 'pod', 'web-1');
    await waitFor(async () => {
      const p = JSON.parse(await k('get', 'pod', 'web-1', '-o', 'json').catch(() => '{}'));
      return p.metadata?.uid !== undefined && p.metadata.uid !== before.metadata.uid && isReady(p);
    }, 'web-1 back and Ready', 60_000);

    await k('set', 'env', 'sts/web', 'COLOR=blue');
    expect(await k('rollout', 'status', 'sts/web', '--timeout=90s')).toContain('partitioned roll out complete');
    expect((await k('exec', 'web-0', '--', 'sh', '-c', 'echo $COLOR')).trim()).toBe('blue');
    expect(await k('rollout', 'history', 'sts/web')).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await k('rollout', 'undo', 'sts/web')).toContain('statefulset.apps/web rolled back');
    await waitFor(async () => {
      const s = JSON.parse(await k('get', 'sts', 'web', '-o', 'json'));
      return s.status.currentRevision === s.status.updateRevision && s.status.updatedReplicas === 3 && s.status.readyReplicas === 3 && s.metadata.generation === s.status.observedGeneration;
    }, 'undo rolled out', 90_000);
    expect((await k('exec', 'web-0', '--', 'sh', '-c', 'echo ${COLOR:-none}')).trim()).toBe('none');

    await k('scale', 'sts/web', '--replicas=0');
    await waitFor(async () => (await k('get', 'pods', '-l', 'app=web', '-o', 'name')).trim() === '', 'all pods gone', 90_000);
    const last = (n: string) => timeline.of(n).at(-1)!;
    expect(last('web-1').deleting, 'web-1 terminates after web-2 is gone').toBeGreaterThanOrEqual(last('web-2').gone!);
    expect(last('web-0').deleting, 'web-0 terminates after web-1 is gone').toBeGreaterThanOrEqual(last('web-1').gone!);
    const events = await k('get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}');
    expect(events).toContain('create Pod web-0 in StatefulSet web successful');
    expect(events).toContain('delete Pod web-2 in StatefulSet web successful');
  }, 300_000);
});

describe('DaemonSet on a real agent', () => {
  it('runs one pod on the node and rolls an update', async () => {
    await apply(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent, namespace: ${NS}}
spec:
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: main
        image: ${IMAGE}
        command: ["sleep", "3600"]
`);
    expect(await k('rollout', 'status', 'ds/node-agent', '--timeout=90s')).toContain('daemon set "node-agent" successfully rolled out');
    const pods = JSON.parse(await k('get', 'pods', '-l', 'app=node-agent', '-o', 'json')).items;
    expect(pods.map((p: any) => p.spec.nodeName)).toEqual([agent.nodeName]);
    expect(await k('get', 'ds', 'node-agent')).toMatch(/node-agent\s+1\s+1\s+1\s+1\s+1\s+<none>/);

    await k('set', 'env', 'ds/node-agent', 'MODE=fast');
    expect(await k('rollout', 'status', 'ds/node-agent', '--timeout=90s')).toContain('successfully rolled out');
    const [pod] = JSON.parse(await k('get', 'pods', '-l', 'app=node-agent', '-o', 'json')).items.filter((p: any) => !p.metadata.deletionTimestamp);
    expect(pod.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'fast' }]);
    expect(await k('rollout', 'history', 'ds/node-agent')).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  }, 300_000);
});
