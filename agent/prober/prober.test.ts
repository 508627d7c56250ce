// Probes end to end: real containers on the test node, probed by exec, HTTP and TCP; readiness
// drives Ready, liveness restarts, a startup probe protects a slow starter.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, condition, containerStatus, startNodeHarness, type NodeHarness } from '../pods/testing/harness.js';

let h: NodeHarness;

beforeAll(async () => {
  h = await startNodeHarness({ backoff: { initialMs: 500, maxMs: 2000 } });
});

afterAll(async () => {
  await h?.close();
});

async function exec(pod: Pod, script: string): Promise<void> {
  const found = await h.manager.containerFor(pod.metadata!.namespace!, pod.metadata!.name!, undefined, false);
  const r = await h.runtime.execSync(found!.containerId, ['sh', '-c', script], 10);
  if (r.exitCode !== 0) throw new Error(`${script}: exit ${r.exitCode}: ${r.stderr}`);
}

const lines = async (pod: string) => (await h.events(pod)).map((e) => `${e.type} ${e.reason}: ${e.message}`);
const fast = { periodSeconds: 1, timeoutSeconds: 1 };

describe('probes', () => {
  it('takes Ready to False while a readiness probe fails, without restarting, and back', async () => {
    await h.createPod({
      metadata: { name: 'readiness' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', 'touch /tmp/ready; exec sleep 3600'], readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, ...fast, failureThreshold: 1 } }],
      },
    });
    const pod = await h.waitPod('readiness', (p) => condition(p, 'Ready') === 'True', 20_000, 'Ready');
    await exec(pod, 'rm /tmp/ready');
    const unready = await h.waitPod('readiness', (p) => condition(p, 'Ready') === 'False', 10_000, 'not Ready');
    expect(unready.status!.phase).toBe('Running');
    expect(containerStatus(unready, 'main')).toMatchObject({ ready: false, started: true, restartCount: 0, state: { running: {} } });
    expect(unready.status!.conditions!.find((c) => c.type === 'ContainersReady')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [main]' });
    expect(await lines('readiness')).toContain('Warning Unhealthy: Readiness probe failed: ');
    await exec(pod, 'touch /tmp/ready');
    const back = await h.waitPod('readiness', (p) => condition(p, 'Ready') === 'True', 10_000, 'Ready again');
    expect(containerStatus(back, 'main')!.restartCount).toBe(0);
    expect(containerStatus(back, 'main')!.containerID).toBe(containerStatus(pod, 'main')!.containerID);
  });

  it('restarts a container whose liveness probe (HTTP on a named port) fails; TCP readiness follows', async () => {
    await h.createPod({
      metadata: { name: 'liveness' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: BUSYBOX,
            command: ['sh', '-c', 'mkdir -p /tmp/www; echo ok > /tmp/www/healthz; exec httpd -f -p 8080 -h /tmp/www'],
            ports: [{ name: 'http', containerPort: 8080 }],
            livenessProbe: { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] }, ...fast, failureThreshold: 2 },
            readinessProbe: { tcpSocket: { port: 8080 }, ...fast },
          },
        ],
      },
    });
    const pod = await h.waitPod('liveness', (p) => condition(p, 'Ready') === 'True', 20_000, 'Ready');
    await exec(pod, 'rm /tmp/www/healthz');
    const restarted = await h.waitPod('liveness', (p) => containerStatus(p, 'main')?.restartCount === 1 && condition(p, 'Ready') === 'True', 20_000, 'restarted and Ready');
    expect(containerStatus(restarted, 'main')!.lastState!.terminated).toMatchObject({ reason: 'Error', exitCode: 137 });
    const events = await lines('liveness');
    expect(events).toContain('Warning Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 404');
    expect(events).toContain('Normal Killing: Container main failed liveness probe, will be restarted');
    expect(events.filter((e) => e === 'Normal Started: Started container main')).toHaveLength(1);
  });

  it('does not kill a slow starter protected by a startup probe', async () => {
    await h.createPod({
      metadata: { name: 'slow-start' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: BUSYBOX,
            command: ['sh', '-c', 'sleep 4; touch /tmp/started; exec sleep 3600'],
            startupProbe: { exec: { command: ['test', '-f', '/tmp/started'] }, ...fast, failureThreshold: 10 },
            // Would kill the container on its first failure if it ran before the start.
            livenessProbe: { exec: { command: ['test', '-f', '/tmp/started'] }, ...fast, failureThreshold: 1 },
          },
        ],
      },
    });
    const starting = await h.waitPod('slow-start', (p) => containerStatus(p, 'main')?.state?.running !== undefined, 20_000, 'running');
    expect(containerStatus(starting, 'main')).toMatchObject({ started: false, ready: false });
    const started = await h.waitPod('slow-start', (p) => containerStatus(p, 'main')?.started === true && condition(p, 'Ready') === 'True', 20_000, 'started');
    expect(containerStatus(started, 'main')!.restartCount).toBe(0);
    const events = await lines('slow-start');
    expect(events.some((e) => e.startsWith('Warning Unhealthy: Startup probe failed'))).toBe(true);
    expect(events.some((e) => e.startsWith('Warning Unhealthy: Liveness probe failed') || e.includes('Killing'))).toBe(false);
  });

  it('restarts a container whose startup probe never succeeds', async () => {
    await h.createPod({
      metadata: { name: 'never-starts' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'], startupProbe: { exec: { command: ['false'] }, ...fast, failureThreshold: 2 } }],
      },
    });
    await h.waitPod('never-starts', (p) => (containerStatus(p, 'main')?.restartCount ?? 0) >= 1, 20_000, 'restarted');
    expect(await lines('never-starts')).toContain('Normal Killing: Container main failed startup probe, will be restarted');
  });
});
