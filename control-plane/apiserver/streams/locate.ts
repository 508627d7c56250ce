/**
 * Where a pod's streams are served: the pod (404 when missing), the container a request means
 * (upstream's defaulting and checks), and the agent of the pod's node (its address and port).
 */
import { badRequest } from '../../api/status.js';
import type { Store } from '../../store/store.js';

/** The agent port when a node does not publish one (upstream's kubelet default). */
export const DEFAULT_AGENT_PORT = 10250;

/** Node address types in the order the API server prefers them for reaching the agent. */
const ADDRESS_PREFERENCE = ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS'];

export interface AgentEndpoint {
  host: string;
  port: number;
}

export function getPod(store: Pick<Store, 'get'>, namespace: string, name: string): Promise<any> {
  return store.get({ resource: 'core/pods', namespace, name });
}

/** Every container name of the pod: init, regular, ephemeral (the order upstream lists them in). */
function containerNames(pod: any): string[] {
  const spec = pod.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map((c: any) => String(c?.name));
}

/**
 * The container a logs/exec/attach request means: the one named (400 when the pod has none of
 * that name), or the pod's only container; several make the name required (400 listing them).
 */
export function resolveContainer(pod: any, requested: string | undefined): string {
  const name = pod.metadata?.name;
  if (requested) {
    if (!containerNames(pod).includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const containers: any[] = pod.spec?.containers ?? [];
  if (containers.length === 1) return String(containers[0].name);
  if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containerNames(pod).join(' ')}]`);
}

/** The agent of the node a pod is bound to; undefined while the pod is not bound. */
export async function agentEndpoint(store: Pick<Store, 'get'>, pod: any): Promise<AgentEndpoint | undefined> {
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) return undefined;
  const node: any = await store.get({ resource: 'core/nodes', namespace: '', name: nodeName });
  const addresses: { type?: string; address?: string }[] = node.status?.addresses ?? [];
  const address = ADDRESS_PREFERENCE.map((type) => addresses.find((a) => a.type === type && a.address)).find(Boolean)?.address;
  if (!address) throw badRequest(`node ${nodeName} has no address to reach its agent at`);
  const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port) || DEFAULT_AGENT_PORT;
  return { host: address, port };
}

/** Like agentEndpoint, for the requests that need one: 400 while the pod is not bound, as upstream. */
export async function requireAgentEndpoint(store: Pick<Store, 'get'>, pod: any): Promise<AgentEndpoint> {
  const endpoint = await agentEndpoint(store, pod);
  if (!endpoint) throw badRequest(`pod ${pod.metadata?.name} does not have a host assigned`);
  return endpoint;
}
