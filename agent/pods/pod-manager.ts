/**
 * The pods of this node: an informer on pods bound to it (spec.nodeName) drives one worker per pod
 * uid (pod-worker.ts) that runs PodSyncer passes — sync while the pod should run, terminate once
 * it has a deletionTimestamp, cleanup once it is gone from the API. Runtime events (a container
 * died, was OOM-killed) and probe results wake a pod's worker early; every pod is also synced
 * periodically (10 s), and each period sandboxes, containers and pod directories that belong to no
 * pod in the API (orphans) are removed.
 *
 * Nothing is kept but what the runtime and the data directory hold: a new PodManager on the same
 * runtime (label prefix) and data directory adopts running pods as they are (restart counts from
 * the runtime's labels, addresses from the network checkpoints), without restarting anything.
 * stop() leaves containers running.
 */
import { readFile } from 'node:fs/promises';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { RESOURCES } from '../../control-plane/api/registry.js';
import type { ApiClient } from '../../control-plane/client/api-client.js';
import type { EventRecorder } from '../../control-plane/client/event-recorder.js';
import { Informer, keyOf } from '../../control-plane/client/informer.js';
import type { CniInvoker } from '../../cni/invoker.js';
import type { PodCgroups } from '../cgroups/index.js';
import { ProberManager } from '../prober/prober-manager.js';
import { ProbeResults } from '../prober/results.js';
import type { ContainerRuntime, DNSConfig } from '../runtime/runtime.js';
import { createMounter, type Mounter } from '../volumes/mounter.js';
import { createNfsHost, createNfsVolumes, type NfsHost } from '../volumes/nfs.js';
import { apiClaimSource, apiConfigSource } from '../volumes/sources.js';
import { createVolumeManager } from '../volumes/volume-manager.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffConfig } from './backoff.js';
import { stableJSON } from './container-config.js';
import { parseResolvConf, type ClusterDNS } from './dns.js';
import { PodEvents } from './events.js';
import { ImageManager } from './images.js';
import { PodNetwork } from './network.js';
import { NodeFacts } from './node-facts.js';
import { Observer, readySandbox } from './observed.js';
import { PodWorkers, type SyncResult } from './pod-worker.js';
import { newPodState, PodSyncer, type PodState } from './syncer.js';

const podsResource = RESOURCES.find((r) => r.plural === 'pods' && r.group === '')!;

/** The annotation naming the container kubectl and the agent pick when none is named. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

export interface PodManagerDeps {
  client: ApiClient;
  nodeName: string;
  runtime: ContainerRuntime;
  cgroups: PodCgroups;
  cni: CniInvoker;
  recorder: EventRecorder;
  /** Pod directories (volumes, termination messages, network checkpoints) live in <dataDir>/pods. */
  dataDir: string;
  logger: Logger;
  /** Cluster DNS for ClusterFirst pods; without it they use the host's resolver (as upstream). */
  dns?: ClusterDNS;
  /** CrashLoopBackOff and ImagePullBackOff; default 10 s doubling to 5 min. */
  backoff?: BackoffConfig;
  /** Period of the full resync and orphan sweep; default 10 s. */
  resyncMs?: number;
  /** The host's resolver configuration; default /etc/resolv.conf (systemd-resolved's own file when that names only its loopback stub). */
  resolvConfPath?: string;
  /** Default: mount(8) and umount(8). */
  mounter?: Mounter;
  /** Finding mount.nfs and mounting NFS volumes (default: the real one). */
  nfsHost?: NfsHost;
}

export interface PodManager {
  /** Stops the workers and probes; containers keep running (a new PodManager adopts them). */
  stop(): Promise<void>;
  /** Pods with a ready sandbox on this node. */
  runningPods(): number;
  /**
   * The runtime container of a pod's container, as `kubectl logs/exec/attach` address it:
   * `containerName` or, when undefined, the pod's default container (the
   * kubectl.kubernetes.io/default-container annotation, else the first); `previous` gives the
   * instance before the current one (lastState). undefined when the pod is not on this node or
   * the container has no such instance.
   */
  containerFor(namespace: string, podName: string, containerName: string | undefined, previous: boolean): Promise<{ containerId: string } | undefined>;
  /** The pod's ready sandbox (for port-forward); undefined when none. */
  sandboxFor(namespace: string, podName: string): Promise<string | undefined>;
  /** The pod as this node's informer holds it. */
  pod(namespace: string, name: string): Pod | undefined;
}

/** systemd-resolved's list of real upstream servers (its stub at 127.0.0.53 is unreachable from pods). */
const SYSTEMD_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';

/** The host's resolver configuration: `path`, or /etc/resolv.conf unless it only names loopback servers and systemd-resolved's file exists. */
async function hostResolver(path?: string): Promise<DNSConfig> {
  const read = (file: string) => readFile(file, 'utf8').then(parseResolvConf, () => undefined);
  if (path) return (await read(path)) ?? { servers: [], searches: [], options: [] };
  const etc = (await read('/etc/resolv.conf')) ?? { servers: [], searches: [], options: [] };
  if (etc.servers.length > 0 && etc.servers.every((s) => s.startsWith('127.'))) return (await read(SYSTEMD_RESOLV_CONF)) ?? etc;
  return etc;
}

/** Whether anything but status (and bookkeeping) changed. */
function specChanged(a: Pod, b: Pod): boolean {
  const strip = (p: Pod) => ({ ...p.metadata, resourceVersion: undefined, managedFields: undefined, spec: p.spec });
  return stableJSON(strip(a)) !== stableJSON(strip(b));
}

const stripRuntimePrefix = (id: string) => id.replace(/^[a-z0-9-]+:\/\//, '');

export async function startPodManager(deps: PodManagerDeps): Promise<PodManager> {
  const log = deps.logger.child({ component: 'pod-manager', node: deps.nodeName });
  const { runtime } = deps;
  const runtimeName = (await runtime.version()).name;
  const backoffConfig = deps.backoff ?? DEFAULT_BACKOFF;
  const crashBackoff = new Backoff(backoffConfig);
  const imageBackoff = new Backoff(backoffConfig);
  const events = new PodEvents(deps.recorder);
  const results = new ProbeResults();
  const network = new PodNetwork(deps.cni, deps.dataDir);
  const sources = apiConfigSource(deps.client);
  const nfs = createNfsVolumes({ dataDir: deps.dataDir, nodeName: deps.nodeName, host: deps.nfsHost ?? createNfsHost(), logger: log });
  const volumes = createVolumeManager({ dataDir: deps.dataDir, sources, claims: apiClaimSource(deps.client), nfs, mounter: deps.mounter ?? createMounter(), logger: log });
  const observer = new Observer({ runtime, podIPsOf: (uid, id) => network.podIPs(uid, id), logger: log });
  const informer = new Informer<Pod & { metadata: object }>(deps.client, podsResource, log, { fieldSelector: `spec.nodeName=${deps.nodeName}` });
  const states = new Map<string, PodState>();
  const keys = new Map<string, string>();
  const wake = (uid: string) => workers.wake(uid);

  const prober = new ProberManager({
    runtime,
    results,
    onChange: wake,
    warn: (pod, container, message) => events.container(pod, container.name, 'Warning', 'Unhealthy', message),
    logger: log,
  });
  const syncer = new PodSyncer({
    client: deps.client,
    runtime,
    runtimeName,
    cgroups: deps.cgroups,
    network,
    volumes,
    sources,
    images: new ImageManager(runtime, events, imageBackoff),
    events,
    prober,
    results,
    observer,
    crashBackoff,
    nodeFacts: new NodeFacts(deps.client, deps.nodeName, log),
    dataDir: deps.dataDir,
    dns: deps.dns,
    hostDNS: () => hostResolver(deps.resolvConfPath),
    logger: log,
  });

  const podOf = (uid: string): Pod | undefined => {
    const key = keys.get(uid);
    const pod = key ? informer.get(key) : undefined;
    return pod?.metadata?.uid === uid ? pod : undefined;
  };

  async function syncPod(uid: string): Promise<SyncResult> {
    let st = states.get(uid);
    if (!st) states.set(uid, (st = newPodState()));
    const pod = podOf(uid);
    if (!pod) {
      const result = await syncer.cleanup(uid, st);
      states.delete(uid);
      keys.delete(uid);
      return result;
    }
    st.pod = pod;
    return pod.metadata?.deletionTimestamp ? syncer.terminate(pod, st) : syncer.sync(pod, st);
  }
  const workers = new PodWorkers(syncPod, log);

  const track = (pod: Pod) => {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    keys.set(uid, keyOf(pod));
    wake(uid);
  };
  informer.addHandlers({
    onAdd: track,
    onUpdate: (old, pod) => {
      if (old.metadata?.uid !== pod.metadata?.uid && old.metadata?.uid) wake(old.metadata.uid);
      if (old.metadata?.uid !== pod.metadata?.uid || specChanged(old, pod)) track(pod);
    },
    onDelete: (pod) => pod.metadata?.uid && wake(pod.metadata.uid),
  });
  informer.start();
  await informer.waitForSync();

  /** Wakes the workers of uids the runtime or data directory holds that the API does not. */
  async function sweepOrphans(): Promise<void> {
    const [sandboxes, containers, dirs] = await Promise.all([runtime.listPodSandboxes(), runtime.listContainers(), volumes.knownPods()]);
    const known = new Set(informer.list().map((p) => p.metadata?.uid));
    for (const uid of new Set([...sandboxes.map((s) => s.pod.uid), ...containers.map((c) => c.pod.uid), ...dirs])) {
      if (uid && !known.has(uid)) wake(uid);
    }
  }
  const sweep = () => sweepOrphans().catch((err) => log.warn({ err: (err as Error).message }, 'orphan sweep failed'));
  await sweep();

  const abort = new AbortController();
  void (async () => {
    try {
      for await (const ev of runtime.events(abort.signal)) {
        if (ev.type !== 'die' && ev.type !== 'oom') continue;
        const uid = observer.ownerOf(ev.containerId);
        if (uid) wake(uid);
      }
    } catch (err) {
      if (!abort.signal.aborted) log.warn({ err: (err as Error).message }, 'runtime event stream ended');
    }
  })();
  const resync = setInterval(() => {
    for (const pod of informer.list()) if (pod.metadata?.uid) wake(pod.metadata.uid);
    void sweep();
  }, deps.resyncMs ?? 10_000);
  log.info({ pods: informer.list().length }, 'pod manager started');

  const findPod = (namespace: string, name: string) => informer.get(`${namespace}/${name}`);

  return {
    async stop() {
      clearInterval(resync);
      abort.abort();
      informer.stop();
      await workers.stop();
      prober.stop();
    },

    runningPods() {
      let n = 0;
      for (const st of states.values()) if (readySandbox(st.observed)) n++;
      return n;
    },

    async containerFor(namespace, podName, containerName, previous) {
      const pod = findPod(namespace, podName);
      if (!pod) return undefined;
      const name = containerName ?? (pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION] || pod.spec?.containers?.[0]?.name);
      const st = states.get(pod.metadata!.uid!);
      const status = [...(st?.lastStatus?.containerStatuses ?? []), ...(st?.lastStatus?.initContainerStatuses ?? [])].find((s) => s.name === name);
      let id: string | undefined;
      if (previous) id = status?.lastState?.terminated?.containerID;
      else id = status?.containerID ?? status?.lastState?.terminated?.containerID;
      if (!id && !previous && !status) {
        // Not synced yet (just adopted): the newest instance the runtime holds.
        id = (await runtime.listContainers(pod.metadata!.uid!)).filter((c) => c.name === name).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0]?.id;
      }
      return id ? { containerId: stripRuntimePrefix(id) } : undefined;
    },

    async sandboxFor(namespace, podName) {
      const uid = findPod(namespace, podName)?.metadata?.uid;
      if (!uid) return undefined;
      const sandboxes = await runtime.listPodSandboxes(uid);
      return sandboxes.filter((s) => s.state === 'ready').sort((a, b) => b.attempt - a.attempt)[0]?.id;
    },

    pod: findPod,
  };
}
