/**
 * The EndpointSlice controller (upstream's pkg/controller/endpointslice): keeps, for every Service
 * with a selector, discovery.k8s.io/v1 EndpointSlices listing the selected pods that have an IP,
 * labelled `kubernetes.io/service-name` and managed-by `endpointslice-controller.k8s.io`, owned by
 * the Service. Services without a selector (and ExternalName ones) are left alone: their slices are
 * written by users (or mirrored from their Endpoints). Level-based: Service, pod, node and slice
 * events queue Service keys; a reconcile plans from the informer caches (planSlices) and writes.
 * The work queue coalesces bursts of pod changes into one sync per Service.
 *
 * A deleted Service's slices are deleted here at once (they also carry an ownerReference, so the
 * garbage collector would remove them too).
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { byNamespace, keyOf, type Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { selectsPods, servicePodHandlers, serviceSelects } from './service-pods.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_ZONE, SLICE_CONTROLLER_NAME } from './slice-endpoints.js';
import { planSlices } from './slice-plan.js';
import { SliceTracker } from './slice-tracker.js';
import { SliceWriter } from './slice-writer.js';

const COMPONENT = 'endpointslice-controller';
const NAMESPACE_INDEX = 'namespace';
const NODE_INDEX = 'endpoints:nodeName';
const SERVICE_INDEX = 'endpointslice:service';
/** Wait for a lagging slice cache, and for a missing node to appear. */
const STALE_RETRY_MS = 50;
const MISSING_NODE_RETRY_MS = 5_000;

export interface EndpointSliceControllerOptions {
  maxEndpointsPerSlice?: number;
  workers?: number;
}

/** `namespace/service` of a slice this controller manages, else undefined. */
function managedServiceKey(slice: EndpointSlice): string | undefined {
  const labels = slice.metadata?.labels ?? {};
  if (labels[LABEL_MANAGED_BY] !== SLICE_CONTROLLER_NAME || !labels[LABEL_SERVICE_NAME]) return undefined;
  return `${slice.metadata?.namespace}/${labels[LABEL_SERVICE_NAME]}`;
}

class EndpointSliceSync {
  constructor(
    private readonly writer: SliceWriter,
    private readonly tracker: SliceTracker,
    private readonly recorder: EventRecorder,
    private readonly services: Informer<Service & { metadata: any }>,
    private readonly pods: Informer<Pod & { metadata: any }>,
    private readonly nodes: Informer<Node & { metadata: any }>,
    private readonly slices: Informer<EndpointSlice & { metadata: any }>,
    private readonly maxPerSlice: number | undefined,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (![this.services, this.pods, this.nodes, this.slices].every((i) => i.hasSynced())) return { requeueAfterMs: STALE_RETRY_MS };
    const existing = this.slices.byIndex(SERVICE_INDEX, key).filter((s) => !s.metadata.deletionTimestamp);
    const svc = this.services.get(key);
    if (!svc) {
      await this.deleteOrphans(key, existing);
      return;
    }
    if (!selectsPods(svc)) return;
    if (this.tracker.stale(key, existing)) return { requeueAfterMs: STALE_RETRY_MS };
    const pods = this.pods.byIndex(NAMESPACE_INDEX, svc.metadata.namespace).filter((p) => serviceSelects(svc, p.metadata?.labels));
    const plan = planSlices({ service: svc, pods, node: (name) => this.nodes.get(name), existing, maxPerSlice: this.maxPerSlice });
    try {
      // No new slices for a Service being deleted: the garbage collector would race them.
      await this.writer.apply(key, svc.metadata.namespace, plan, !svc.metadata.deletionTimestamp);
    } catch (err) {
      this.recorder.event(
        { apiVersion: 'v1', kind: 'Service', metadata: svc.metadata },
        'Warning',
        'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${key}: ${(err as Error).message}`,
      );
      throw err;
    }
    if (plan.skippedPods.length > 0) return { requeueAfterMs: MISSING_NODE_RETRY_MS };
  }

  /** The Service is gone: its managed slices go too. */
  private async deleteOrphans(key: string, existing: EndpointSlice[]): Promise<void> {
    for (const slice of existing) if (slice.metadata?.ownerReferences?.some((o) => o.kind === 'Service')) await this.writer.delete(key, slice);
    this.tracker.forget(key);
  }
}

/** Starts the controller on the shared informers; returns at once. */
export function startEndpointSliceController(ctx: ControllerContext, opts: EndpointSliceControllerOptions = {}): ControllerHandle {
  const services = ctx.informers.of<Service & { metadata: any }>('core/services');
  const pods = ctx.informers.of<Pod & { metadata: any }>('core/pods');
  const nodes = ctx.informers.of<Node & { metadata: any }>('core/nodes');
  const slices = ctx.informers.of<EndpointSlice & { metadata: any }>('discovery.k8s.io/endpointslices');
  services.addIndex(NAMESPACE_INDEX, byNamespace);
  pods.addIndex(NAMESPACE_INDEX, byNamespace);
  pods.addIndex(NODE_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
  slices.addIndex(SERVICE_INDEX, (s) => {
    const key = managedServiceKey(s);
    return key ? [key] : [];
  });

  const tracker = new SliceTracker();
  const sync = new EndpointSliceSync(new SliceWriter(ctx.client, tracker), tracker, ctx.recorder(COMPONENT), services, pods, nodes, slices, opts.maxEndpointsPerSlice);
  const queue = new WorkQueue();

  const podHandlers = servicePodHandlers(services, NAMESPACE_INDEX, queue);
  /** Services selecting pods on a node: their endpoints carry the node's zone, and skip pods of missing nodes. */
  const nodeEvent = (node: Node) => {
    for (const pod of pods.byIndex(NODE_INDEX, node.metadata!.name!)) podHandlers.onAdd(pod);
  };
  const sliceEvent = (slice: EndpointSlice, deleted: boolean) => {
    const key = managedServiceKey(slice);
    if (key && !tracker.isOwnWrite(key, slice, deleted)) queue.add(key);
  };

  services.addHandlers({
    onAdd: (s) => queue.add(keyOf(s)),
    onUpdate: (_o, s) => queue.add(keyOf(s)),
    onDelete: (s) => queue.add(keyOf(s)),
  });
  pods.addHandlers(podHandlers);
  nodes.addHandlers({
    onAdd: nodeEvent,
    onUpdate: (o, n) => {
      if (o.metadata?.labels?.[LABEL_ZONE] !== n.metadata?.labels?.[LABEL_ZONE]) nodeEvent(n);
    },
    onDelete: nodeEvent,
  });
  slices.addHandlers({
    onAdd: (s) => sliceEvent(s, false),
    onUpdate: (o, s) => {
      const before = managedServiceKey(o);
      if (before && before !== managedServiceKey(s)) queue.add(before);
      sliceEvent(s, false);
    },
    onDelete: (s) => sliceEvent(s, true),
  });

  return runController(COMPONENT, queue, (key) => sync.reconcile(key), ctx.logger, opts.workers ?? 4);
}
