/**
 * The service controller for LoadBalancer Services (upstream's cloud service controller, with an
 * address pool standing in for the cloud, as MetalLB does): a `type: LoadBalancer` Service without
 * a loadBalancerClass gets an address of the pool in status.loadBalancer.ingress ({ip, ipMode:
 * VIP}); the address goes when the Service changes type, and is free again once the Service is
 * gone. Which address is taken is read from all Services' status (load-balancer-plan.ts), plus the
 * addresses this controller wrote that its cache does not show yet; one worker decides, so two
 * Services never get one address. Without a pool, Services stay pending as on a cluster without a
 * cloud. Records upstream's events: EnsuringLoadBalancer, EnsuredLoadBalancer,
 * SyncLoadBalancerFailed, DeletingLoadBalancer, DeletedLoadBalancer, Type, LoadbalancerIP.
 *
 * No cleanup finalizer is added: there is nothing outside the API to clean up (the service proxy
 * drops a Service's rules with the Service).
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { storageResource } from '../../api/registry.js';
import type { ApiClient } from '../../client/api-client.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { keyOf, type Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { AddressPool } from './address-pool.js';
import { ingressIPs, planLoadBalancer, wantsLoadBalancer } from './load-balancer-plan.js';

const servicesDef = storageResource('core/services');

const COMPONENT = 'service-controller';
/** Retry of a Service that could not get an address (a released address retries it sooner). */
const FAILED_RETRY_MS = 30_000;

type CachedService = Service & { metadata: any };

export interface ServiceLoadBalancerOptions {
  /** The address pool (see AddressPool.parse); none: LoadBalancer Services stay pending. */
  pool?: string;
}

const involved = (svc: Service) => ({ apiVersion: 'v1', kind: 'Service', metadata: svc.metadata! });
const isLoadBalancerType = (svc: Service) => svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;

class LoadBalancerSync {
  /** Addresses written but maybe not yet in the cache: address → Service key. */
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly client: ApiClient,
    private readonly recorder: EventRecorder,
    private readonly services: Informer<CachedService>,
    private readonly pool: AddressPool | undefined,
    private readonly enqueue: (key: string) => void,
  ) {}

  /** Queues the LoadBalancer Services still waiting for an address. */
  retryWaiting(): void {
    for (const s of this.services.list()) if (wantsLoadBalancer(s) && ingressIPs(s).length === 0) this.enqueue(keyOf(s));
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (!this.services.hasSynced()) return { requeueAfterMs: 50 };
    const svc = this.services.get(key);
    for (const [ip, k] of this.pending) {
      if (k === key && (!svc || !wantsLoadBalancer(svc) || ingressIPs(svc).includes(ip))) this.pending.delete(ip);
    }
    if (!svc) return;
    const decision = planLoadBalancer({ service: svc, others: this.services.list(), pending: this.pending, pool: this.pool });
    switch (decision.kind) {
      case 'none':
        return;
      case 'clear':
        this.recorder.event(involved(svc), 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
        await this.writeIngress(svc, null);
        this.recorder.event(involved(svc), 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
        this.retryWaiting();
        return;
      case 'assign': {
        this.recorder.event(involved(svc), 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
        await this.writeIngress(svc, decision.ingress);
        const ip = decision.ingress[0]!.ip!;
        this.pending.set(ip, key);
        this.recorder.event(involved(svc), 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
        // A younger Service that listed the same address must move.
        for (const other of this.services.list()) if (keyOf(other) !== key && ingressIPs(other).includes(ip)) this.enqueue(keyOf(other));
        return;
      }
      case 'fail':
        this.recorder.event(involved(svc), 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to ensure load balancer: ${decision.message}`);
        return { requeueAfterMs: FAILED_RETRY_MS };
    }
  }

  /** Sets status.loadBalancer.ingress (null removes it), conditional on the cached resourceVersion. */
  private async writeIngress(svc: CachedService, ingress: unknown): Promise<void> {
    const patch = { metadata: { resourceVersion: svc.metadata.resourceVersion }, status: { loadBalancer: { ingress } } };
    await this.client.patch(servicesDef, svc.metadata.namespace, svc.metadata.name, 'merge', patch, { subresource: 'status' });
  }
}

/** Starts the controller on the shared informers; returns at once. Throws on a malformed pool. */
export function startServiceLoadBalancerController(ctx: ControllerContext, opts: ServiceLoadBalancerOptions = {}): ControllerHandle {
  const pool = opts.pool ? AddressPool.parse(opts.pool) : undefined;
  const services = ctx.informers.of<CachedService>('core/services');
  const recorder = ctx.recorder(COMPONENT);
  const queue = new WorkQueue();
  const sync = new LoadBalancerSync(ctx.client, recorder, services, pool, (k) => queue.add(k));
  services.addHandlers({
    onAdd: (s) => queue.add(keyOf(s)),
    onUpdate: (o, s) => {
      if (isLoadBalancerType(o) !== isLoadBalancerType(s)) recorder.event(involved(s), 'Normal', 'Type', `${o.spec?.type} -> ${s.spec?.type}`);
      else if (isLoadBalancerType(s) && (o.spec?.loadBalancerIP ?? '') !== (s.spec?.loadBalancerIP ?? '')) {
        recorder.event(involved(s), 'Normal', 'LoadbalancerIP', `${o.spec?.loadBalancerIP ?? ''} -> ${s.spec?.loadBalancerIP ?? ''}`);
      }
      queue.add(keyOf(s));
    },
    onDelete: (s) => {
      queue.add(keyOf(s));
      if (ingressIPs(s).length > 0) sync.retryWaiting();
    },
  });
  // One worker: addresses are decided one Service at a time against one view.
  return runController(COMPONENT, queue, (key) => sync.reconcile(key), ctx.logger, 1);
}
