/**
 * Integration-test support for pod management: a real tug server (and Redis), the real Docker
 * runtime with a label prefix unique to the run, real pod cgroups, and real CNI (tug-bridge, run
 * in-process as the agent runs it, on a bridge and /24 unique to the run) behind a PodManager for
 * one test node. close() removes what the run created, also after failures: pods, containers,
 * network, cgroups, temp directories.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { RESOURCES } from '../../../control-plane/api/registry.js';
import { ApiClient } from '../../../control-plane/client/api-client.js';
import { EventRecorder } from '../../../control-plane/client/event-recorder.js';
import { builtinPlugins } from '../../../cni/builtin.js';
import { createCniInvoker } from '../../../cni/invoker.js';
import { writeNetworkConfig } from '../../../cni/network-config.js';
import { buildPlugins, CNI_BIN, freeTestSubnet, removeTestNetwork } from '../../../cni/testing/harness.js';
import { startTugServer, type TugServer } from '../../../e2e/harness/tug-server.js';
import { createPodCgroups, type PodCgroups } from '../../cgroups/index.js';
import { buildBusyboxImage, createDockerRuntime } from '../../runtime/docker/index.js';
import type { ContainerRuntime } from '../../runtime/runtime.js';
import { createMounter } from '../../volumes/mounter.js';
import type { BackoffConfig } from '../backoff.js';
import { startPodManager, type PodManager } from '../pod-manager.js';

export const BUSYBOX = 'tugboat/busybox:test';
export const podsResource = RESOURCES.find((r) => r.plural === 'pods' && r.group === '')!;
const eventsResource = RESOURCES.find((r) => r.plural === 'events' && r.group === '')!;

export interface NodeHarness {
  server: TugServer;
  client: ApiClient;
  docker: Docker;
  runtime: ContainerRuntime;
  cgroups: PodCgroups;
  manager: PodManager;
  nodeName: string;
  namespace: string;
  dataDir: string;
  /** The run's pod subnet, e.g. 10.254.17.0/24. */
  subnet: string;
  /** Creates a pod bound to the test node (spec.nodeName set), in the run's namespace. */
  createPod(pod: Pod): Promise<Pod>;
  getPod(name: string): Promise<Pod>;
  /** Polls the pod until `cond` holds; rejects after `timeoutMs` with the last status. */
  waitPod(name: string, cond: (pod: Pod) => boolean, timeoutMs?: number, what?: string): Promise<Pod>;
  /** Events about the pod, oldest first. */
  events(podName: string): Promise<any[]>;
  /** Stops the PodManager (containers keep running), runs `meanwhile`, and starts a new one on the same runtime and data. */
  restartManager(meanwhile?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  backoff?: BackoffConfig;
  resyncMs?: number;
}

export async function startNodeHarness(opts: HarnessOptions = {}): Promise<NodeHarness> {
  const id = randomBytes(3).toString('hex');
  const logger = pino({ level: process.env.TUG_TEST_LOG ?? 'silent' });
  const nodeName = `node-${id}`;
  const namespace = 'default';
  const bridge = `tugt${id}`;
  const network = `tugt-${id}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tug-pods-'));
  const dataDir = path.join(tmp, 'data');
  const docker = new Docker();
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };

  try {
    await buildPlugins();
    const server = await startTugServer();
    cleanups.push(() => server.stop());
    const client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
    cleanups.push(async () => client.close());
    await buildBusyboxImage(docker, BUSYBOX);
    const labelPrefix = `t${id}.`;
    const runtime = await createDockerRuntime({ logger, labelPrefix });
    const cgroups = await createPodCgroups({ logger });
    const { subnet } = await freeTestSubnet();
    const confDir = path.join(tmp, 'net.d');
    await writeNetworkConfig(confDir, { name: network, podCIDR: subnet, bridge, clusterCIDR: subnet, dataDir: path.join(tmp, 'ipam') });
    // As the agent runs them: Tugboat's plugins in-process.
    const cni = createCniInvoker({ confDir, binDirs: [CNI_BIN], logger, cacheDir: path.join(tmp, 'cni-cache'), builtins: builtinPlugins() });
    const recorder = new EventRecorder(client, { component: 'kubelet', host: nodeName }, logger);
    const start = () => startPodManager({ client, nodeName, runtime, cgroups, cni, recorder, dataDir, logger, backoff: opts.backoff, resyncMs: opts.resyncMs ?? 2000 });

    // Last resort, in reverse order of need: containers of this run, network, cgroups, files.
    cleanups.push(async () => {
      const mounter = createMounter();
      for (const m of await mounter.mountsUnder(tmp)) await mounter.unmount(m);
      await rm(tmp, { recursive: true, force: true });
    });
    cleanups.push(() => removeTestNetwork(network, bridge));
    const uids = new Set<string>();
    cleanups.push(async () => {
      for (const uid of uids) for (const qos of ['Guaranteed', 'Burstable', 'BestEffort'] as const) await cgroups.removePod(uid, qos).catch(() => undefined);
    });
    cleanups.push(async () => {
      const left = await docker.listContainers({ all: true, filters: { label: [`${labelPrefix}io.tugboat.kind`] } });
      for (const c of left) uids.add(c.Labels[`${labelPrefix}io.kubernetes.pod.uid`] ?? '');
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    });

    let manager = await start();
    const created: string[] = [];
    // Orderly: pods deleted at once, the manager cleans up what they had, then stops.
    cleanups.push(async () => {
      for (const name of created) await client.delete(podsResource, namespace, name, { gracePeriodSeconds: 0 }).catch(() => undefined);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && ((await runtime.listPodSandboxes()).length > 0 || (await runtime.listContainers()).length > 0)) await sleep(200);
      await manager.stop();
    });

    const getPod = (name: string) => client.get<Pod>(podsResource, namespace, name);
    const harness: NodeHarness = {
      server,
      client,
      docker,
      runtime,
      cgroups,
      get manager() {
        return manager;
      },
      nodeName,
      namespace,
      dataDir,
      subnet,
      async createPod(pod) {
        const body = { ...pod, metadata: { ...pod.metadata, namespace }, spec: { ...pod.spec!, nodeName } };
        const made = await client.create<Pod>(podsResource, namespace, body);
        created.push(made.metadata!.name!);
        uids.add(made.metadata!.uid!);
        return made;
      },
      getPod,
      async waitPod(name, cond, timeoutMs = 30_000, what = 'condition') {
        const deadline = Date.now() + timeoutMs;
        let last: Pod | undefined;
        for (;;) {
          last = await getPod(name).catch(() => undefined);
          if (last && cond(last)) return last;
          if (Date.now() > deadline) throw new Error(`pod ${name}: ${what} not met within ${timeoutMs} ms; status: ${JSON.stringify(last?.status)}`);
          await sleep(100);
        }
      },
      async events(podName) {
        const list = await client.list(eventsResource, namespace);
        return list.items.filter((e: any) => e.involvedObject?.name === podName).sort((a: any, b: any) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)));
      },
      async restartManager(meanwhile) {
        await manager.stop();
        await meanwhile?.();
        manager = await start();
      },
      close: cleanup,
    };
    return harness;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A container status of the pod by name. */
export function containerStatus(pod: Pod, name: string) {
  return [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s) => s.name === name);
}

/** The pod's condition status by type. */
export function condition(pod: Pod, type: string): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === type)?.status;
}
