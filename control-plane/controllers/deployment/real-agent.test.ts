/**
 * End to end with real containers: the ReplicaSet and Deployment controllers (run by the test,
 * until the server runs them) with a real `tug agent` running the pods in Docker, readiness from
 * real exec probes, and real kubectl 1.33: the article's rolling update keeps its bounds, and a
 * version whose readiness probe never passes stalls until its progress deadline while the old pods
 * keep serving.
 */
import Docker from 'dockerode';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk } from '../../../e2e/harness/kubectl.js';
import { startTugAgent, type TugAgent } from '../../../e2e/harness/tug-agent.js';
import { startTugServer, type TugServer } from '../../../e2e/harness/tug-server.js';
import { waitFor } from '../../../e2e/harness/wait.js';
import { buildBusyboxImage } from '../../../agent/runtime/docker/images.js';
import { storageResource } from '../../api/registry.js';
import { Informer } from '../../client/informer.js';
import { startControllerTestEnv, type ControllerTestEnv } from './test-env.js';

const IMAGE = 'tugboat/busybox:test';
const pods = storageResource('core/pods');

let server: TugServer;
let agent: TugAgent;
let env: ControllerTestEnv;

beforeAll(async () => {
  const docker = new Docker();
  await buildBusyboxImage(docker, IMAGE);
  for (const tag of ['v2.1.0', 'v2.2.0']) await docker.getImage(IMAGE).tag({ repo: 'myregistry/model-server', tag });
  // The test runs the controllers under test itself; the server runs only the basic ones.
  server = await startTugServer({ extraArgs: ['--controllers', 'namespace,nodeipam'] });
  agent = await startTugAgent(server);
  await waitFor(async () => / Ready /.test(await kubectlOk(server.kubeconfig, ['get', 'node', agent.nodeName])), 'node Ready', 60_000);
  env = await startControllerTestEnv(server, { agentNode: agent.nodeName });
}, 180_000);

afterAll(async () => {
  await env?.stop();
  await agent?.stop();
  await server?.stop();
}, 180_000);

const k = (...args: string[]) => kubectlOk(server.kubeconfig, args);

/** A Deployment whose pods become Ready a second after starting, unless `probe` says otherwise. */
function manifest(name: string, replicas: number, image: string, extraSpec = '', probe = '["cat", "/tmp/ready"]'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
spec:
  replicas: ${replicas}
${extraSpec}  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: ${name}
        image: ${image}
        command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1; touch /tmp/ready; while true; do sleep 0.2; done"]
        readinessProbe:
          exec: {command: ${probe}}
          periodSeconds: 1
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 2
      maxUnavailable: 0
`;
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function rolloutStatus(name: string) {
  return kubectl(server.kubeconfig, ['rollout', 'status', `deployment/${name}`, '--timeout=150s'], { timeoutMs: 180_000 });
}

/** Active (not terminating) and active Ready pods after every pod event of the app. */
async function watchPods(app: string) {
  const informer = new Informer<Pod & { metadata: NonNullable<Pod['metadata']> }>(env.client, pods, pino({ level: 'silent' }), { namespace: 'default', labelSelector: `app=${app}` });
  const seen = { maxActive: 0, minReady: Infinity };
  let synced = false;
  const check = () => {
    if (!synced) return;
    const active = informer.list().filter((p) => !p.metadata.deletionTimestamp);
    seen.maxActive = Math.max(seen.maxActive, active.length);
    seen.minReady = Math.min(seen.minReady, active.filter(isReady).length);
  };
  informer.addHandlers({ onAdd: check, onUpdate: check, onDelete: check });
  informer.start();
  await informer.waitForSync();
  synced = true;
  check();
  return { seen, stop: () => informer.stop() };
}

describe('Deployments on a real node', () => {
  it("the article's rolling update with real containers: never fewer than 5 Ready, never more than 7 pods", async () => {
    await kubectlOk(server.kubeconfig, ['apply', '-f', '-'], { input: manifest('model-server', 5, 'myregistry/model-server:v2.1.0') });
    const first = await rolloutStatus('model-server');
    expect(first.stdout).toContain('deployment "model-server" successfully rolled out');
    const watch = await watchPods('model-server');
    try {
      await k('set', 'image', 'deployment/model-server', 'model-server=myregistry/model-server:v2.2.0');
      const r = await rolloutStatus('model-server');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('deployment "model-server" successfully rolled out');
    } finally {
      watch.stop();
    }
    expect(watch.seen.maxActive).toBeLessThanOrEqual(7);
    expect(watch.seen.minReady).toBeGreaterThanOrEqual(5);
    const running = JSON.parse(await k('get', 'pods', '-l', 'app=model-server', '-o', 'json')).items.filter((p: Pod) => !p.metadata?.deletionTimestamp);
    expect(running.map((p: Pod) => p.spec!.containers[0]!.image)).toEqual(Array(5).fill('myregistry/model-server:v2.2.0'));
    expect(await k('rollout', 'history', 'deployment/model-server')).toMatch(/^1\s+<none>\n2\s+<none>$/m);
  }, 240_000);

  it('a version whose readiness probe never passes stalls, keeps the old pods serving, and exceeds its deadline', async () => {
    const extra = '  progressDeadlineSeconds: 10\n';
    await kubectlOk(server.kubeconfig, ['apply', '-f', '-'], { input: manifest('stall', 3, 'myregistry/model-server:v2.1.0', extra) });
    expect((await rolloutStatus('stall')).code).toBe(0);
    await kubectlOk(server.kubeconfig, ['apply', '-f', '-'], { input: manifest('stall', 3, 'myregistry/model-server:v2.2.0', extra, '["cat", "/nonexistent"]') });
    const r = await rolloutStatus('stall');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error: deployment "stall" exceeded its progress deadline');
    const all: Pod[] = JSON.parse(await k('get', 'pods', '-l', 'app=stall', '-o', 'json')).items.filter((p: Pod) => !p.metadata?.deletionTimestamp);
    expect(all.filter((p) => p.spec!.containers[0]!.image === 'myregistry/model-server:v2.1.0' && isReady(p))).toHaveLength(3);
    expect(all.filter((p) => p.spec!.containers[0]!.image === 'myregistry/model-server:v2.2.0').every((p) => !isReady(p) && p.status?.phase === 'Running')).toBe(true);
  }, 240_000);
});
