/**
 * What pod status and the downward API need to know about this node: its addresses (hostIP) and
 * allocatable resources (what an unset limit reads as), from the Node object, re-read at most every
 * 30 s (every 2 s while it has no address yet). While the Node cannot be read, the host's own CPU count and memory stand in and hostIPs is
 * empty.
 */
import os from 'node:os';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { milliValue, parseQuantity } from '../../control-plane/api/quantity.js';
import { RESOURCES } from '../../control-plane/api/registry.js';
import type { ApiClient } from '../../control-plane/client/api-client.js';
import type { NodeAllocatable } from '../volumes/downward.js';

const nodes = RESOURCES.find((r) => r.plural === 'nodes')!;
const REFRESH_MS = 30_000;
/** Without addresses yet (no Node, or not registered yet), look again sooner. */
const RETRY_MS = 2_000;

export interface NodeFactsValue {
  hostIPs: string[];
  allocatable: NodeAllocatable;
}

/** The node's addresses (InternalIP first, then ExternalIP) and allocatable resources. */
export function factsOf(node: Node | undefined): NodeFactsValue {
  const addresses = node?.status?.addresses ?? [];
  const hostIPs = [...addresses.filter((a) => a.type === 'InternalIP'), ...addresses.filter((a) => a.type === 'ExternalIP')].map((a) => a.address);
  const alloc = (node?.status?.allocatable ?? {}) as Record<string, string>;
  return {
    hostIPs: [...new Set(hostIPs)],
    allocatable: {
      cpuMilli: alloc.cpu !== undefined ? milliValue(alloc.cpu) : os.cpus().length * 1000,
      memoryBytes: alloc.memory !== undefined ? parseQuantity(alloc.memory) : os.totalmem(),
      ephemeralStorageBytes: alloc['ephemeral-storage'] !== undefined ? parseQuantity(alloc['ephemeral-storage']) : 0,
    },
  };
}

export class NodeFacts {
  private value: NodeFactsValue = factsOf(undefined);
  private attemptAt = 0;
  private pending?: Promise<NodeFactsValue>;

  constructor(
    private readonly client: ApiClient,
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {}

  /** The current facts; never rejects. */
  get(): Promise<NodeFactsValue> {
    if (Date.now() - this.attemptAt < (this.value.hostIPs.length > 0 ? REFRESH_MS : RETRY_MS)) return Promise.resolve(this.value);
    this.pending ??= (async () => {
      this.attemptAt = Date.now();
      try {
        this.value = factsOf(await this.client.get<Node>(nodes, undefined, this.nodeName));
      } catch (err) {
        this.log.debug({ node: this.nodeName, err: (err as Error).message }, 'node not readable; using host facts');
      } finally {
        this.pending = undefined;
      }
      return this.value;
    })();
    return this.pending;
  }
}
