/**
 * Test and benchmark support for proxy/: "pods" as network namespaces wired by Tugboat's own CNI
 * network (tug-bridge + tug-host-local, in-process, as the agent wires pods) on a bridge and a
 * /24 in 10.254.0.0/16 unique to the run, with busybox httpd servers in them. stop() removes the
 * servers, the attachments, the namespaces, the bridge and its firewall rules, also after failures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { builtinPlugins } from '../../cni/builtin.js';
import { createCniInvoker, type CniInvoker } from '../../cni/invoker.js';
import { tugboatNetworkConfig } from '../../cni/network-config.js';
import { addNetns, CNI_BIN, freeTestSubnet, removeTestNetwork, sh, shQuiet, suffix } from '../../cni/testing/harness.js';

export interface TestPod {
  name: string;
  /** Network namespace name (for `ip netns exec`). */
  netns: string;
  ip: string;
}

export interface PodNetwork {
  bridge: string;
  /** The pod subnet, e.g. 10.254.17.0/24. */
  subnet: string;
  /** The bridge's address (the pods' gateway): a host address that is not loopback. */
  gateway: string;
  /** Creates a namespace and attaches it to the network. */
  addPod(name: string): Promise<TestPod>;
  /** Serves `body` at http://<pod ip>:<port>/ with busybox httpd in the pod's namespace. */
  serveHttp(pod: TestPod, port: number, body: string): Promise<void>;
  /** Runs a command in the pod's namespace; resolves with its stdout (rejects when it fails). */
  exec(pod: TestPod, command: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startPodNetwork(): Promise<PodNetwork> {
  const id = suffix();
  const bridge = `tugp${id}`;
  const network = `tugp-${id}`;
  const { subnet, prefix } = await freeTestSubnet();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-proxy-test-'));
  const cni: CniInvoker = createCniInvoker({
    conf: tugboatNetworkConfig({ name: network, podCIDR: subnet, bridge, clusterCIDR: subnet, dataDir: path.join(dir, 'ipam') }),
    binDirs: [CNI_BIN],
    builtins: builtinPlugins(),
    cacheDir: path.join(dir, 'cache'),
    logger: pino({ level: 'silent' }),
  });
  const pods: TestPod[] = [];
  const servers: ChildProcess[] = [];

  return {
    bridge,
    subnet,
    gateway: `${prefix}.1`,
    async addPod(name) {
      const netns = `tugp-${id}-${name}`;
      const pod: TestPod = { name, netns, ip: '' };
      pods.push(pod);
      const result = await cni.add({ containerId: netns, netnsPath: await addNetns(netns), ifName: 'eth0' });
      pod.ip = result.podIPs[0]!;
      return pod;
    },
    async serveHttp(pod, port, body) {
      const root = path.join(dir, `www-${pod.name}-${port}`);
      await mkdir(root, { recursive: true });
      await writeFile(path.join(root, 'index.html'), body);
      const server = spawn('ip', ['netns', 'exec', pod.netns, 'busybox', 'httpd', '-f', '-p', String(port), '-h', root], { stdio: 'ignore' });
      servers.push(server);
      // Listening once a request is answered.
      for (let i = 0; ; i++) {
        const ok = await sh('ip', ['netns', 'exec', pod.netns, 'curl', '-s', '-m', '1', `http://127.0.0.1:${port}/`]).then(
          () => true,
          () => false,
        );
        if (ok) return;
        if (i === 100 || server.exitCode !== null) throw new Error(`httpd in ${pod.netns} did not start`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    exec: (pod, command) => sh('ip', ['netns', 'exec', pod.netns, ...command]),
    async stop() {
      for (const server of servers) {
        if (server.exitCode === null && server.signalCode === null) await new Promise((resolve) => (server.once('exit', resolve), server.kill('SIGKILL')));
      }
      for (const pod of pods) {
        await cni.del({ containerId: pod.netns, netnsPath: `/var/run/netns/${pod.netns}`, ifName: 'eth0' }).catch(() => undefined);
        await shQuiet('ip', ['netns', 'del', pod.netns]);
      }
      await removeTestNetwork(network, bridge);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
