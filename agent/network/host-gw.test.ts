/**
 * host-gw on real namespaces (testing/lan.ts): two nodes on one LAN, FORWARD policy DROP, a pod on
 * each attached by tug-bridge. reconcileRoutes in each node's namespace, driven by Node objects,
 * carries a pod's traffic to the other node's pod with its source address kept, while traffic out
 * of the cluster CIDR is masqueraded; a node behind a gateway gets no route; changes and removals
 * follow the Nodes; routes it does not own stay. Then the backend itself against a real `tug
 * server`: it follows Nodes as they come, change and go, keeps its routes over a restart, and
 * removes them on stop({ removeRoutes: true }).
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageResource } from '../../control-plane/api/registry.js';
import { ApiClient } from '../../control-plane/client/api-client.js';
import { startTugServer, type TugServer } from '../../e2e/harness/tug-server.js';
import { waitFor } from '../../e2e/harness/wait.js';
import { FORWARD_CHAIN } from '../../cni/bridge/firewall.js';
import { createNetOps } from '../../cni/bridge/netops.js';
import { sh } from '../../cni/testing/harness.js';
import { reconcileRoutes, startHostGw } from './host-gw.js';
import { ROUTE_PROTO } from './route-plan.js';
import { startLan, type Lan, type LanNode, type LanPod } from './testing/lan.js';

const PORT = 7000;
const ops = createNetOps();
let lan: Lan;
let a: LanNode;
let b: LanNode;
let podA: LanPod;
let podB: LanPod;
/** A node whose address is not on the LAN: reached via the LAN's gateway. */
const far: Node = { metadata: { name: 'far' }, spec: { podCIDR: '10.244.3.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '10.99.0.5' }] } };
const moved = (node: Node, address: string): Node => ({ ...node, status: { addresses: [{ type: 'InternalIP', address }] } });

/** host-gw's routes in a node's namespace, as `ip route` prints them. */
const ownRoutes = async (node: LanNode) => (await sh('ip', ['-n', node.ns, 'route', 'show', 'proto', ROUTE_PROTO])).split('\n').map((l) => l.trim()).filter(Boolean);

beforeAll(async () => {
  lan = await startLan();
  a = await lan.addNode('a', 10, '10.244.1.0/24');
  b = await lan.addNode('b', 11, '10.244.2.0/24');
  podA = await lan.addPod(a, 'pa');
  podB = await lan.addPod(b, 'pb');
  for (const ns of [podA.ns, podB.ns, lan.ns]) await lan.serveClientAddress(ns, PORT);
});

afterAll(async () => {
  await lan?.stop();
});

describe('host-gw routes on real namespaces', () => {
  it('routes every other node’s pod CIDR via its address, never its own, and skips a node behind a gateway', async () => {
    const nodes = [a.node, b.node, far];
    const plan = await reconcileRoutes(ops, nodes, 'a', a.netns);
    expect(plan.add.map((r) => r.dst)).toEqual(['10.244.2.0/24']);
    expect(plan.skipped).toEqual([{ node: 'far', reason: expect.stringMatching(/10\.99\.0\.5 is not on a directly connected network \(reached via 192\.168\.250\.1\)/) }]);
    await reconcileRoutes(ops, nodes, 'b', b.netns);
    expect(await ownRoutes(a)).toEqual(['10.244.2.0/24 via 192.168.250.11 dev eth0']);
    expect(await ownRoutes(b)).toEqual(['10.244.1.0/24 via 192.168.250.10 dev eth0']);

    const again = await reconcileRoutes(ops, nodes, 'a', a.netns);
    expect([again.add, again.replace, again.remove, again.unchanged.map((r) => r.dst)]).toEqual([[], [], [], ['10.244.2.0/24']]);
  });

  it('carries pod traffic between nodes with the pod’s own source address, through FORWARD policy DROP', async () => {
    expect(await lan.get(podA.ns, podB.ip, PORT)).toBe(podA.ip);
    expect(await lan.get(podB.ns, podA.ip, PORT)).toBe(podB.ip);
    // It is the CNI's forward rules that let it through: without their jump on node b, nothing passes.
    const jump = ['FORWARD', '-m', 'comment', '--comment', `tug-cni ${FORWARD_CHAIN}`, '-j', FORWARD_CHAIN];
    expect(await sh('ip', ['netns', 'exec', b.ns, 'iptables', '-S', 'FORWARD'])).toMatch(/^-P FORWARD DROP$/m);
    await sh('ip', ['netns', 'exec', b.ns, 'iptables', '-D', ...jump]);
    try {
      expect(await lan.get(podA.ns, podB.ip, PORT)).toBeUndefined();
    } finally {
      await sh('ip', ['netns', 'exec', b.ns, 'iptables', '-I', ...jump]);
    }
    expect(await lan.get(podA.ns, podB.ip, PORT)).toBe(podA.ip);
  });

  it('masquerades pod traffic leaving the cluster CIDR as the node’s address', async () => {
    expect(await lan.get(podA.ns, lan.gateway, PORT)).toBe(a.ip);
  });

  it('follows a node that changes address, and removes the route of a node that goes', async () => {
    const plan = await reconcileRoutes(ops, [a.node, moved(b.node, '192.168.250.21')], 'a', a.netns);
    expect(plan.replace.map((r) => `${r.dst} via ${r.via}`)).toEqual(['10.244.2.0/24 via 192.168.250.21']);
    expect(await ownRoutes(a)).toEqual(['10.244.2.0/24 via 192.168.250.21 dev eth0']);
    await reconcileRoutes(ops, [a.node, b.node], 'a', a.netns);
    expect(await lan.get(podA.ns, podB.ip, PORT)).toBe(podA.ip);

    expect((await reconcileRoutes(ops, [a.node], 'a', a.netns)).remove).toEqual(['10.244.2.0/24']);
    expect(await ownRoutes(a)).toEqual([]);
    expect(await lan.get(podA.ns, podB.ip, PORT)).toBeUndefined();
  });

  it('leaves routes it does not own, and removes all of its own when given no nodes', async () => {
    await sh('ip', ['-n', a.ns, 'route', 'add', '10.244.9.0/24', 'via', '192.168.250.19']);
    await reconcileRoutes(ops, [a.node, b.node], 'a', a.netns);
    const nine: Node = { metadata: { name: 'nine' }, spec: { podCIDR: '10.244.9.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.250.29' }] } };
    const plan = await reconcileRoutes(ops, [a.node, b.node, nine], 'a', a.netns);
    expect(plan.skipped).toEqual([{ node: 'nine', reason: 'this host already has a route to 10.244.9.0/24 (dev eth0) that host-gw does not own' }]);

    expect((await reconcileRoutes(ops, [], 'a', a.netns)).remove).toEqual(['10.244.2.0/24']);
    expect(await ownRoutes(a)).toEqual([]);
    expect(await sh('ip', ['-n', a.ns, 'route', 'show', '10.244.9.0/24'])).toMatch(/via 192\.168\.250\.19/);
  });
});

describe('host-gw backend following the Nodes of a real API server', () => {
  const NODES = storageResource('core/nodes');
  let server: TugServer;
  let client: ApiClient;
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  /** Creates a Node (or sets an existing one's address) as its agent would report it. */
  const register = async (name: string, address: string, podCIDR?: string) => {
    const status = { addresses: [{ type: 'InternalIP', address }] };
    if (podCIDR) await client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR, podCIDRs: [podCIDR] }, status });
    else await client.patch(NODES, undefined, name, 'merge', { status }, { subresource: 'status' });
  };
  const routesAre = (node: LanNode, expected: string[]) => async () => JSON.stringify(await ownRoutes(node)) === JSON.stringify(expected);

  beforeAll(async () => {
    server = await startTugServer();
    client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
    await register('a', a.ip, a.podCIDR);
    await register('b', b.ip, b.podCIDR);
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it('keeps the routes in step as nodes come, change and go', async () => {
    const backend = await startHostGw({ client, nodeName: 'a', netns: a.netns, logger });
    try {
      expect(await ownRoutes(a)).toEqual(['10.244.2.0/24 via 192.168.250.11 dev eth0']);
      await register('c', '192.168.250.12', '10.244.3.0/24');
      await waitFor(routesAre(a, ['10.244.2.0/24 via 192.168.250.11 dev eth0', '10.244.3.0/24 via 192.168.250.12 dev eth0']), 'route to node c');
      await register('c', '192.168.250.22');
      await waitFor(routesAre(a, ['10.244.2.0/24 via 192.168.250.11 dev eth0', '10.244.3.0/24 via 192.168.250.22 dev eth0']), 'route to node c moved');
      await client.delete(NODES, undefined, 'c');
      await waitFor(routesAre(a, ['10.244.2.0/24 via 192.168.250.11 dev eth0']), 'route to node c removed');
    } finally {
      await backend.stop();
    }
  });

  it('leaves its routes on a plain stop for the next agent to adopt, and removes them when asked', async () => {
    expect(await ownRoutes(a)).toEqual(['10.244.2.0/24 via 192.168.250.11 dev eth0']);
    expect(await lan.get(podA.ns, podB.ip, PORT)).toBe(podA.ip);
    const restarted = await startHostGw({ client, nodeName: 'a', netns: a.netns, logger });
    await restarted.stop({ removeRoutes: true });
    expect(await ownRoutes(a)).toEqual([]);
  });
});
