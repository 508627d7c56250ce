/**
 * The Node object an agent registers and keeps current: capacity and allocatable from the host,
 * well-known labels, addresses, conditions and nodeInfo, as the kubelet reports them. Pure.
 */
import type { HostInfo } from './host-info.js';

export const MAX_PODS = 110;
/** Memory kept back from pods: upstream's default hard eviction threshold (memory.available < 100Mi). */
const MEMORY_EVICTION_BYTES = 100 * 1024 * 1024;
/** Disk kept back: upstream's nodefs.available < 10%. */
const DISK_EVICTION_FRACTION = 0.1;

export interface NodeIdentity {
  name: string;
  /** The address other nodes and the API server reach this node at. */
  internalIP: string;
  /** Port of the agent's streaming server (logs, exec, port-forward). */
  agentPort: number;
  runtimeVersion: string;
  agentVersion: string;
  labels?: Record<string, string>;
  taints?: unknown[];
}

const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

export function capacityOf(host: HostInfo) {
  return {
    cpu: String(host.cpus),
    memory: ki(host.memoryBytes),
    'ephemeral-storage': ki(host.diskBytes),
    pods: String(MAX_PODS),
    'hugepages-2Mi': '0',
  };
}

export function allocatableOf(host: HostInfo) {
  return {
    cpu: String(host.cpus),
    memory: ki(Math.max(0, host.memoryBytes - MEMORY_EVICTION_BYTES)),
    'ephemeral-storage': String(Math.floor(host.diskBytes * (1 - DISK_EVICTION_FRACTION))),
    pods: String(MAX_PODS),
    'hugepages-2Mi': '0',
  };
}

export interface ConditionInput {
  runtimeReady: boolean;
  runtimeMessage?: string;
  networkReady: boolean;
}

type Condition = { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; lastHeartbeatTime: string; lastTransitionTime: string };

/** The four node conditions from the host's state; transition times carried over from `previous` when unchanged. */
export function conditionsOf(host: HostInfo, input: ConditionInput, now: string, previous: Condition[] = []): Condition[] {
  const memoryPressure = host.memoryAvailableBytes < MEMORY_EVICTION_BYTES;
  const diskPressure = host.diskBytes > 0 && host.diskAvailableBytes < host.diskBytes * DISK_EVICTION_FRACTION;
  const ready = input.runtimeReady && input.networkReady;
  const readyMessage = !input.runtimeReady
    ? `container runtime is down: ${input.runtimeMessage ?? 'no answer'}`
    : !input.networkReady
      ? 'container runtime network not ready: the node has no podCIDR yet'
      : 'tugboat agent is posting ready status';
  const make = (type: string, status: boolean, reason: string, message: string): Condition => {
    const s = status ? 'True' : 'False';
    const prev = previous.find((c) => c.type === type);
    return { type, status: s, reason, message, lastHeartbeatTime: now, lastTransitionTime: prev && prev.status === s ? prev.lastTransitionTime : now };
  };
  return [
    make('MemoryPressure', memoryPressure, memoryPressure ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory', memoryPressure ? 'memory available is below 100Mi' : 'kubelet has sufficient memory available'),
    make('DiskPressure', diskPressure, diskPressure ? 'KubeletHasDiskPressure' : 'KubeletHasNoDiskPressure', diskPressure ? 'disk available is below 10%' : 'kubelet has no disk pressure'),
    make('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    make('Ready', ready, ready ? 'KubeletReady' : 'KubeletNotReady', readyMessage),
  ];
}

/** The Node to create at registration (status included: nodes keep the status they are created with). */
export function nodeObject(id: NodeIdentity, host: HostInfo, conditions: Condition[]) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: id.name,
      labels: {
        'kubernetes.io/hostname': id.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': host.architecture,
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': host.architecture,
        ...(id.labels ?? {}),
      },
    },
    spec: id.taints && id.taints.length ? { taints: id.taints } : {},
    status: nodeStatus(id, host, conditions),
  };
}

export function nodeStatus(id: NodeIdentity, host: HostInfo, conditions: Condition[]) {
  return {
    capacity: capacityOf(host),
    allocatable: allocatableOf(host),
    conditions,
    addresses: [
      { type: 'InternalIP', address: id.internalIP },
      { type: 'Hostname', address: id.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: id.agentPort } },
    nodeInfo: {
      machineID: host.machineID,
      systemUUID: host.machineID,
      bootID: host.bootID,
      kernelVersion: host.kernelVersion,
      osImage: host.osImage,
      containerRuntimeVersion: id.runtimeVersion,
      kubeletVersion: id.agentVersion,
      kubeProxyVersion: id.agentVersion,
      operatingSystem: 'linux',
      architecture: host.architecture,
    },
  };
}
