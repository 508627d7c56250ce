/**
 * Registers this node and keeps it alive: creates (or takes over) the Node object, renews its Lease
 * in kube-node-lease every 10 s, and posts node status when it changes or every minute, as the
 * kubelet does. The node lifecycle controller reads the Lease to decide the node is gone.
 */
import type { Logger } from 'pino';
import { RESOURCES } from '../../control-plane/api/registry.js';
import { isConflict, isNotFound, type ApiClient } from '../../control-plane/client/api-client.js';
import type { HostInfo } from './host-info.js';
import { conditionsOf, nodeObject, nodeStatus, type NodeIdentity } from './node-object.js';

const nodes = RESOURCES.find((r) => r.plural === 'nodes')!;
const leases = RESOURCES.find((r) => r.plural === 'leases')!;

export const LEASE_DURATION_SECONDS = 40;
const LEASE_RENEW_MS = 10_000;
const STATUS_CHECK_MS = 10_000;
const STATUS_REPORT_MS = 60_000;

export interface RegistrarDeps {
  client: ApiClient;
  identity: NodeIdentity;
  readHost(): Promise<HostInfo>;
  /** Whether the container runtime answers. */
  runtimeHealth(): Promise<{ ready: boolean; message?: string }>;
  logger: Logger;
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const microTime = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

export class NodeRegistrar {
  private timers: NodeJS.Timeout[] = [];
  private lastReport = 0;
  private lastStatusKey = '';
  private node: any;
  private readonly log: Logger;

  constructor(private readonly deps: RegistrarDeps) {
    this.log = deps.logger.child({ component: 'node-registrar', node: deps.identity.name });
  }

  /** The Node as last read or written. */
  get current(): any {
    return this.node;
  }

  /** Creates the Node, or updates the existing one's labels and status (a restarted agent). Blocking until done. */
  async register(): Promise<any> {
    const { client, identity } = this.deps;
    const host = await this.deps.readHost();
    const health = await this.deps.runtimeHealth();
    const conditions = conditionsOf(host, { runtimeReady: health.ready, runtimeMessage: health.message, networkReady: false }, rfc3339(new Date()));
    try {
      this.node = await client.create(nodes, undefined, nodeObject(identity, host, conditions));
      this.log.info('node registered');
    } catch (err) {
      if (!isConflict(err)) throw err;
      const existing = await client.get(nodes, undefined, identity.name);
      const desired = nodeObject(identity, host, conditions);
      this.node = await client.patch(nodes, undefined, identity.name, 'merge', { metadata: { labels: desired.metadata.labels } });
      this.log.info({ uid: existing.metadata.uid }, 'node already registered; taking it over');
    }
    await this.renewLease();
    await this.reportStatus(true);
    return this.node;
  }

  /** Starts the lease and status loops (non-blocking). */
  start(): void {
    this.timers.push(setInterval(() => void this.renewLease().catch((err) => this.log.warn({ err: (err as Error).message }, 'lease renewal failed')), LEASE_RENEW_MS));
    this.timers.push(setInterval(() => void this.reportStatus(false).catch((err) => this.log.warn({ err: (err as Error).message }, 'node status update failed')), STATUS_CHECK_MS));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Renews (or creates) the node's Lease. */
  async renewLease(): Promise<void> {
    const { client, identity } = this.deps;
    const now = microTime(new Date());
    try {
      await client.patch(leases, 'kube-node-lease', identity.name, 'merge', { spec: { holderIdentity: identity.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const owner = this.node ? [{ apiVersion: 'v1', kind: 'Node', name: identity.name, uid: this.node.metadata.uid }] : undefined;
      await client.create(leases, 'kube-node-lease', {
        metadata: { name: identity.name, namespace: 'kube-node-lease', ownerReferences: owner },
        spec: { holderIdentity: identity.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
      });
    }
  }

  /** Posts node status if it changed (heartbeats aside) or a minute has passed. */
  async reportStatus(force: boolean): Promise<void> {
    const { client, identity } = this.deps;
    const node = await client.get(nodes, undefined, identity.name);
    const host = await this.deps.readHost();
    const health = await this.deps.runtimeHealth();
    const conditions = conditionsOf(host, { runtimeReady: health.ready, runtimeMessage: health.message, networkReady: Boolean(node.spec?.podCIDR) }, rfc3339(new Date()), node.status?.conditions);
    const status = nodeStatus(identity, host, conditions);
    const key = JSON.stringify({ ...status, conditions: conditions.map((c) => [c.type, c.status, c.reason]) });
    if (!force && key === this.lastStatusKey && Date.now() - this.lastReport < STATUS_REPORT_MS) {
      this.node = node;
      return;
    }
    this.node = await client.patch(nodes, undefined, identity.name, 'merge', { status }, { subresource: 'status' });
    this.lastStatusKey = key;
    this.lastReport = Date.now();
  }
}
