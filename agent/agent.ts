/**
 * One node agent: registers the node, waits for its pod CIDR, wires the pod network (CNI) and the
 * routes to other nodes' pods (network backend), and runs the cluster DNS server (on the pod
 * bridge's gateway address), the service proxy (iptables), the pod manager and the streaming
 * server (logs, exec, attach, port-forward). `startAgent` is the composition of the agent's parts;
 * `tug agent` and `tug up` call it with explicit options.
 */
import { LOCAL_PROVISIONER } from '../control-plane/api/storage.js';
import { startLocalProvisioner } from './volumes/local-provisioner.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { RESOURCES } from '../control-plane/api/registry.js';
import { ApiClient } from '../control-plane/client/api-client.js';
import { EventRecorder } from '../control-plane/client/event-recorder.js';
import { ensurePodBridge } from '../cni/bridge/pod-bridge.js';
import { createNetOps } from '../cni/bridge/netops.js';
import { builtinPlugins } from '../cni/builtin.js';
import { createCniInvoker } from '../cni/invoker.js';
import { writeNetworkConfig } from '../cni/network-config.js';
import { startClusterDNS, type ClusterDNS } from '../proxy/dns/index.js';
import { startServiceProxy } from '../proxy/proxy.js';
import { createPodCgroups } from './cgroups/index.js';
import { startNetworkBackend, type NetworkBackendName } from './network/index.js';
import { readHostInfo } from './node/host-info.js';
import { NodeRegistrar } from './node/registrar.js';
import { startPodManager } from './pods/pod-manager.js';
import { createDockerRuntime } from './runtime/docker/index.js';
import { startStreamingServer } from './streaming/index.js';

const nodes = RESOURCES.find((r) => r.plural === 'nodes')!;

/** The plugin shims shipped with Tugboat (cni/bin), then the usual system locations (Tugboat's own plugins run in-process). */
const CNI_BIN_DIRS = [path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cni/bin'), '/usr/lib/cni', '/opt/cni/bin'];

export interface AgentOptions {
  /** API server URL, its CA and this node's credential. */
  server: string;
  token: string;
  caCertPem: string;
  nodeName: string;
  /** The address other nodes and the API server reach this node at. */
  nodeIP: string;
  dataDir: string;
  /** Port of the streaming server (logs, exec, port-forward). */
  agentPort: number;
  /** Linux bridge the pods of this node attach to. */
  bridge: string;
  clusterCIDR: string;
  /** How pods reach pods on other nodes (agent/network; default host-gw). */
  networkBackend?: NetworkBackendName;
  agentVersion: string;
  labels?: Record<string, string>;
  dockerSocket?: string;
  /** Prefix of the runtime's labels (tests run several agents on one Docker engine). */
  runtimeLabelPrefix?: string;
  /** Prefix of the service proxy's iptables chains (default TUG; tests run several agents on one host). */
  proxyChainPrefix?: string;
  logger: Logger;
}

export interface RunningAgent {
  /**
   * Stops the agent; pods keep running and a restarted agent adopts them. `removeRoutes`: also
   * remove the routes to other nodes' pods (the node is leaving the cluster).
   */
  stop(opts?: { removeRoutes?: boolean }): Promise<void>;
}

/** Polls the Node until the control plane has given it a pod CIDR. */
async function waitForPodCIDR(client: ApiClient, nodeName: string, log: Logger): Promise<string> {
  for (let waited = 0; ; waited += 500) {
    const node = await client.get(nodes, undefined, nodeName);
    if (node.spec?.podCIDR) return node.spec.podCIDR;
    if (waited % 10_000 === 0) log.info({ node: nodeName }, 'waiting for the control plane to assign a pod CIDR');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The node's cluster DNS server on the pod gateway, port 53. When it cannot listen (another
 * server holds the port), the agent goes on without it and says so: pods then resolve with the
 * host's resolvers and cluster names fail.
 */
async function startNodeDNS(client: ApiClient, gateway: string, log: Logger): Promise<ClusterDNS | undefined> {
  try {
    return await startClusterDNS({ client, listen: [{ address: gateway, port: 53 }], logger: log });
  } catch (err) {
    log.error({ address: `${gateway}:53`, err: (err as Error).message }, 'cluster DNS cannot listen: pods will not resolve Service names; free port 53 on the pod gateway and restart the agent');
    return undefined;
  }
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const log = opts.logger.child({ component: 'agent', node: opts.nodeName });
  const client = new ApiClient({ server: opts.server, token: opts.token, caCertPem: opts.caCertPem, userAgent: `tug-agent/${opts.agentVersion}` });
  const runtime = await createDockerRuntime({ logger: log, socketPath: opts.dockerSocket, labelPrefix: opts.runtimeLabelPrefix });
  const runtimeVersion = await runtime.version();

  const registrar = new NodeRegistrar({
    client,
    identity: {
      name: opts.nodeName,
      internalIP: opts.nodeIP,
      agentPort: opts.agentPort,
      runtimeVersion: `${runtimeVersion.name}://${runtimeVersion.version}`,
      agentVersion: opts.agentVersion,
      labels: opts.labels,
    },
    readHost: () => readHostInfo(opts.dataDir),
    runtimeHealth: async () => {
      try {
        await runtime.version();
        return { ready: true };
      } catch (err) {
        return { ready: false, message: (err as Error).message };
      }
    },
    logger: log,
  });
  await registrar.register();
  registrar.start();

  const podCIDR = await waitForPodCIDR(client, opts.nodeName, log);
  const cniDir = path.join(opts.dataDir, 'cni');
  // The network is named after its bridge: two agents on one host (tests, tug cluster) keep apart.
  await writeNetworkConfig(path.join(cniDir, 'net.d'), { name: opts.bridge, podCIDR, bridge: opts.bridge, clusterCIDR: opts.clusterCIDR, dataDir: path.join(cniDir, 'ipam') });
  const cni = createCniInvoker({ confDir: path.join(cniDir, 'net.d'), binDirs: CNI_BIN_DIRS, cacheDir: path.join(cniDir, 'results'), builtins: builtinPlugins(), logger: log });
  const gateway = await ensurePodBridge(createNetOps(), opts.bridge, podCIDR);
  await registrar.reportStatus(true);
  log.info({ podCIDR, bridge: opts.bridge, gateway }, 'pod network configured');
  const network = await startNetworkBackend(opts.networkBackend ?? 'host-gw', { client, nodeName: opts.nodeName, logger: log });

  const dns = await startNodeDNS(client, gateway, log);
  const proxy = await startServiceProxy({ client, nodeName: opts.nodeName, nodeIPs: [], clusterCIDR: opts.clusterCIDR, prefix: opts.proxyChainPrefix, logger: log });

  const podManager = await startPodManager({
    client,
    nodeName: opts.nodeName,
    runtime,
    cgroups: await createPodCgroups({ logger: log }),
    cni,
    recorder: new EventRecorder(client, { component: 'kubelet', host: opts.nodeName }, log),
    dataDir: opts.dataDir,
    // Pods with dnsPolicy ClusterFirst ask the node's DNS server; without one they get the host's resolvers.
    dns: dns ? { servers: [gateway], searches: [] } : undefined,
    logger: log,
  });
  const provisioner = startLocalProvisioner({ client, nodeName: opts.nodeName, dataDir: opts.dataDir, recorder: new EventRecorder(client, { component: `${LOCAL_PROVISIONER}_${opts.nodeName}`, host: opts.nodeName }, log), logger: log });
  const streaming = await startStreamingServer({ port: opts.agentPort, runtime, targets: podManager, client, logger: log });
  log.info({ agentPort: streaming.port }, 'agent running');

  return {
    stop: async (stopOpts = {}) => {
      await streaming.close();
      await provisioner.stop();
      await podManager.stop();
      // Service rules and routes stay: pods keep running, their Services must keep answering and
      // they must keep reaching other nodes' pods (and those them) until the agent is back.
      await proxy.stop();
      await network.stop({ removeRoutes: stopOpts.removeRoutes });
      await dns?.stop();
      registrar.stop();
      client.close();
    },
  };
}
