/**
 * End to end with real processes: a `tug server` (whose own scheduler serves default-scheduler), a
 * real `tug agent` (Docker containers) as the only node, and kubectl 1.33 as the user. A pod created
 * with `kubectl run` is placed on the agent's node and runs; one too big for it stays Pending and
 * `kubectl describe` shows why, in upstream's words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageResource } from '../api/registry.js';
import { ApiClient } from '../client/api-client.js';
import { kubectl } from '../../e2e/harness/kubectl.js';
import { startTugAgent, type TugAgent } from '../../e2e/harness/tug-agent.js';
import { startTugServer, type TugServer } from '../../e2e/harness/tug-server.js';
import { waitFor } from '../../e2e/harness/wait.js';

const PODS = storageResource('core/pods');
const IMAGE = 'tugboat/busybox:test';

let server: TugServer;
let agent: TugAgent;
let client: ApiClient;

beforeAll(async () => {
  server = await startTugServer();
  agent = await startTugAgent(server);
  client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
});

afterAll(async () => {
  client?.close();
  await agent?.stop();
  await server?.stop();
});

const run = (...args: string[]) => kubectl(server.kubeconfig, args);

describe('scheduler with a real agent and kubectl', () => {
  it('places a pod created by kubectl run on the node, where it runs', async () => {
    const created = await run('run', 'sched-web', `--image=${IMAGE}`, '--restart=Never', '--', 'sleep', '3600');
    expect(created.stderr).toBe('');
    await waitFor(async () => (await client.get(PODS, 'default', 'sched-web')).status?.phase === 'Running', 'sched-web Running', 60_000);
    expect((await client.get(PODS, 'default', 'sched-web')).spec.nodeName).toBe(agent.nodeName);
    const described = (await run('describe', 'pod', 'sched-web')).stdout;
    expect(described).toMatch(new RegExp(`Normal\\s+Scheduled\\s+.*default-scheduler\\s+Successfully assigned default/sched-web to ${agent.nodeName}`));
  });

  it('keeps a pod too big for the node Pending and says why', async () => {
    const overrides = JSON.stringify({
      spec: { containers: [{ name: 'huge', image: IMAGE, args: ['sleep', '3600'], resources: { requests: { memory: '1000Gi' } } }] },
    });
    expect((await run('run', 'huge', `--image=${IMAGE}`, '--restart=Never', `--overrides=${overrides}`)).stderr).toBe('');
    const message = '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';
    await waitFor(async () => (await run('describe', 'pod', 'huge')).stdout.includes('FailedScheduling'), 'FailedScheduling shown', 30_000);
    const described = (await run('describe', 'pod', 'huge')).stdout;
    expect(described).toMatch(/Status:\s+Pending/);
    expect(described.replace(/\s+/g, ' ')).toContain(message);
    const pod = await client.get(PODS, 'default', 'huge');
    expect(pod.status.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }));
  });
});
