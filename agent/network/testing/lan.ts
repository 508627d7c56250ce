/**
 * Test support for agent/network: "nodes" as network namespaces on a "LAN" (a bridge in a
 * namespace of its own, which also stands for the world outside the cluster at the LAN's gateway
 * address), each node with a default route via that gateway and iptables' FORWARD policy DROP (as
 * Docker leaves hosts); "pods" attached to a node by the real tug-bridge plugin run inside the
 * node's namespace with the agent's network configuration, so its firewall rules land in the
 * node's own iptables. Addresses live only inside these namespaces; nothing is created on the
 * host but namespaces (random names) and a temp dir, and stop() removes them, also after failures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { createCniInvoker, type CniInvoker } from '../../../cni/invoker.js';
import { tugboatNetworkConfig } from '../../../cni/network-config.js';
import { addNetns, buildPlugins, CNI_BIN, sh, shQuiet, suffix } from '../../../cni/testing/harness.js';

export const CLUSTER_CIDR = '10.244.0.0/16';
const LAN_PREFIX = '192.168.250';

export interface LanNode {
  name: string;
  /** Namespace name, for `ip -n` and `ip netns exec`. */
  ns: string;
  /** Namespace path, for NetOps. */
  netns: string;
  ip: string;
  podCIDR: string;
  /** Its Node object, as its agent reports it. */
  node: Node;
}

export interface LanPod {
  ns: string;
  ip: string;
}

export interface Lan {
  /** The LAN namespace's address: the nodes' default gateway, a host outside the cluster. */
  gateway: string;
  /** The LAN namespace's name. */
  ns: string;
  /** A node at LAN address <prefix>.<host> with pod subnet `podCIDR` (e.g. 10.244.1.0/24). */
  addNode(name: string, host: number, podCIDR: string): Promise<LanNode>;
  /** A pod on `node`, attached by tug-bridge (which creates the node's bridge and rules on the first). */
  addPod(node: LanNode, name: string): Promise<LanPod>;
  /** Serves HTTP on `port` in namespace `ns`, answering each request with the client's address. */
  serveClientAddress(ns: string, port: number): Promise<void>;
  /** GET http://ip:port/ from namespace `ns` (curl, 2 s): the body, or undefined when it fails. */
  get(ns: string, ip: string, port: number): Promise<string | undefined>;
  stop(): Promise<void>;
}

const SERVER = (port: number) => `require('http').createServer((q, s) => s.end(q.socket.remoteAddress)).listen(${port}, '0.0.0.0', () => console.log('ready'))`;

export async function startLan(): Promise<Lan> {
  const id = suffix();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-lan-test-'));
  const namespaces: string[] = [];
  const servers: ChildProcess[] = [];
  const cnis = new Map<string, CniInvoker>();
  const newNs = async (name: string) => {
    const ns = `tuglan-${id}-${name}`;
    namespaces.push(ns);
    return { ns, netns: await addNetns(ns) };
  };

  const stop = async () => {
    for (const server of servers) {
      if (server.exitCode === null && server.signalCode === null) await new Promise((resolve) => (server.once('exit', resolve), server.kill('SIGKILL')));
    }
    // Deleting a namespace deletes its links, bridges, routes and iptables rules.
    for (const ns of [...namespaces].reverse()) await shQuiet('ip', ['netns', 'del', ns]);
    await rm(dir, { recursive: true, force: true });
  };

  const gateway = `${LAN_PREFIX}.1`;
  let lan: { ns: string };
  try {
    lan = await newNs('lan');
    for (const args of [['link', 'set', 'lo', 'up'], ['link', 'add', 'lan0', 'type', 'bridge'], ['link', 'set', 'lan0', 'up'], ['addr', 'add', `${gateway}/24`, 'dev', 'lan0']]) {
      await sh('ip', ['-n', lan.ns, ...args]);
    }
    await buildPlugins();
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    gateway,
    ns: lan.ns,
    async addNode(name, host, podCIDR) {
      const { ns, netns } = await newNs(name);
      const ip = `${LAN_PREFIX}.${host}`;
      await sh('ip', ['-n', lan.ns, 'link', 'add', `port-${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await sh('ip', ['-n', lan.ns, 'link', 'set', `port-${name}`, 'master', 'lan0', 'up']);
      for (const args of [['link', 'set', 'lo', 'up'], ['link', 'set', 'eth0', 'up'], ['addr', 'add', `${ip}/24`, 'dev', 'eth0'], ['route', 'add', 'default', 'via', gateway]]) {
        await sh('ip', ['-n', ns, ...args]);
      }
      await sh('ip', ['netns', 'exec', ns, 'iptables', '-P', 'FORWARD', 'DROP']);
      // tug-bridge as an executable that runs inside the node's namespace.
      const bin = path.join(dir, `bin-${name}`);
      await mkdir(bin);
      await writeFile(path.join(bin, 'tug-bridge'), `#!/bin/sh\nexec nsenter --net=${netns} ${path.join(CNI_BIN, 'tug-bridge')}\n`);
      await chmod(path.join(bin, 'tug-bridge'), 0o755);
      const conf = tugboatNetworkConfig({ podCIDR, bridge: 'tug0', clusterCIDR: CLUSTER_CIDR, dataDir: path.join(dir, `ipam-${name}`) });
      cnis.set(ns, createCniInvoker({ conf, binDirs: [bin, CNI_BIN], cacheDir: path.join(dir, `cache-${name}`), logger: pino({ level: 'silent' }) }));
      const node: Node = { metadata: { name }, spec: { podCIDR }, status: { addresses: [{ type: 'InternalIP', address: ip }] } };
      return { name, ns, netns, ip, podCIDR, node };
    },
    async addPod(node, name) {
      const { ns, netns } = await newNs(name);
      const result = await cnis.get(node.ns)!.add({ containerId: ns, netnsPath: netns, ifName: 'eth0' });
      return { ns, ip: result.podIPs[0]! };
    },
    async serveClientAddress(ns, port) {
      const server = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.stdout!.once('data', () => resolve());
        server.once('exit', (code) => reject(new Error(`address server in ${ns} exited (${code})`)));
      });
    },
    get: (ns, ip, port) => sh('ip', ['netns', 'exec', ns, 'curl', '-sS', '-m', '2', `http://${ip}:${port}/`]).catch(() => undefined),
    stop,
  };
}
