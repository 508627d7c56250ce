/** Leader election against a real API server: one leader at a time, hand-over on stop and on expiry. */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTugServer, type TugServer } from '../../e2e/harness/tug-server.js';
import { waitFor } from '../../e2e/harness/wait.js';
import { ApiClient } from './api-client.js';
import { runLeaderElection, type LeaderElection } from './leader-election.js';

let server: TugServer;
let client: ApiClient;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  server = await startTugServer();
  client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

function candidate(identity: string, running: Set<string>, opts: { name: string; duration?: number }): LeaderElection {
  return runLeaderElection({
    client,
    namespace: 'kube-system',
    name: opts.name,
    identity,
    leaseDurationSeconds: opts.duration ?? 15,
    retryPeriodMs: 100,
    logger: log,
    onStartedLeading: async () => {
      running.add(identity);
      return async () => {
        running.delete(identity);
      };
    },
  });
}

describe('leader election', () => {
  it('lets exactly one candidate lead and hands over when it stops', async () => {
    const running = new Set<string>();
    const a = candidate('a', running, { name: 'election-stop' });
    const b = candidate('b', running, { name: 'election-stop' });
    await waitFor(() => running.size === 1, 'a leader');
    await new Promise((r) => setTimeout(r, 500));
    expect(running.size).toBe(1);
    const [first] = [...running];
    await (first === 'a' ? a : b).stop();
    await waitFor(() => running.size === 1 && !running.has(first!), 'the other takes over', 5000);
    await (first === 'a' ? b : a).stop();
  });

  it('takes over a lease whose holder stopped renewing once it expires', async () => {
    const running = new Set<string>();
    // A holder that vanished without releasing: its lease names it and stops being renewed.
    await client.create({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' }, 'kube-system', {
      metadata: { name: 'election-expiry' },
      spec: { holderIdentity: 'gone', leaseDurationSeconds: 2, renewTime: new Date().toISOString().replace('Z', '000Z') },
    });
    const c = candidate('c', running, { name: 'election-expiry', duration: 2 });
    await new Promise((r) => setTimeout(r, 800));
    expect(running.size).toBe(0);
    await waitFor(() => running.has('c'), 'takeover after expiry', 6000);
    const lease = await client.get({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' }, 'kube-system', 'election-expiry');
    expect(lease.spec.holderIdentity).toBe('c');
    expect(lease.spec.leaseTransitions).toBe(1);
    await c.stop();
  });
});
