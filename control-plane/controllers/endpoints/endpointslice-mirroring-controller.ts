/**
 * The EndpointSlice mirroring controller (upstream's pkg/controller/endpointslicemirroring): for a
 * Service without a selector whose endpoints a user writes as a core/v1 Endpoints object, keeps
 * EndpointSlices mirroring it (mirror-plan.ts), so consumers of slices (the service proxy, DNS) see
 * hand-written endpoints too. Mirrored slices go when the Endpoints or the Service go, when the
 * Service gains a selector (the EndpointSlice controller takes over), or when the Endpoints carry
 * `endpointslice.kubernetes.io/skip-mirror: "true"` (as the `kubernetes` Service's do). Records
 * upstream's InvalidIPAddress and TooManyAddressesToMirror events on the Endpoints.
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { keyOf, type Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { MAX_MIRRORED_PER_SUBSET, MIRROR_CONTROLLER_NAME, planMirror, type MirrorPlan } from './mirror-plan.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_SKIP_MIRROR } from './slice-endpoints.js';
import { SliceTracker } from './slice-tracker.js';
import { SliceWriter } from './slice-writer.js';

const COMPONENT = 'endpointslice-mirroring-controller';
const MIRROR_INDEX = 'endpointslice:mirrored';
const STALE_RETRY_MS = 50;

type Cached<T> = T & { metadata: any };

/** `namespace/name` of the Endpoints a mirrored slice belongs to, else undefined. */
function mirroredKey(slice: EndpointSlice): string | undefined {
  const labels = slice.metadata?.labels ?? {};
  if (labels[LABEL_MANAGED_BY] !== MIRROR_CONTROLLER_NAME || !labels[LABEL_SERVICE_NAME]) return undefined;
  return `${slice.metadata?.namespace}/${labels[LABEL_SERVICE_NAME]}`;
}

const hasSelector = (svc: Service) => Object.keys(svc.spec?.selector ?? {}).length > 0;

class MirroringSync {
  constructor(
    private readonly writer: SliceWriter,
    private readonly tracker: SliceTracker,
    private readonly recorder: EventRecorder,
    private readonly services: Informer<Cached<Service>>,
    private readonly endpoints: Informer<Cached<Endpoints>>,
    private readonly slices: Informer<Cached<EndpointSlice>>,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (![this.services, this.endpoints, this.slices].every((i) => i.hasSynced())) return { requeueAfterMs: STALE_RETRY_MS };
    const existing = this.slices.byIndex(MIRROR_INDEX, key).filter((s) => !s.metadata.deletionTimestamp);
    const ep = this.endpoints.get(key);
    const svc = this.services.get(key);
    if (!ep || !svc || hasSelector(svc) || ep.metadata.labels?.[LABEL_SKIP_MIRROR] === 'true') {
      for (const slice of existing) await this.writer.delete(key, slice);
      this.tracker.forget(key);
      return;
    }
    if (this.tracker.stale(key, existing)) return { requeueAfterMs: STALE_RETRY_MS };
    const plan = planMirror(ep, existing);
    this.report(ep, plan);
    await this.writer.apply(key, ep.metadata.namespace, plan, !ep.metadata.deletionTimestamp);
  }

  private report(ep: Cached<Endpoints>, plan: MirrorPlan): void {
    const involved = { apiVersion: 'v1', kind: 'Endpoints', metadata: ep.metadata };
    if (plan.invalidAddresses > 0) this.recorder.event(involved, 'Warning', 'InvalidIPAddress', `Skipped ${plan.invalidAddresses} invalid IP addresses when mirroring to EndpointSlices`);
    if (plan.overCapacity > 0) {
      this.recorder.event(
        involved,
        'Warning',
        'TooManyAddressesToMirror',
        `A max of ${MAX_MIRRORED_PER_SUBSET} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.overCapacity} addresses were skipped`,
      );
    }
  }

}

/** Starts the controller on the shared informers; returns at once. */
export function startEndpointSliceMirroringController(ctx: ControllerContext, opts: { workers?: number } = {}): ControllerHandle {
  const services = ctx.informers.of<Cached<Service>>('core/services');
  const endpoints = ctx.informers.of<Cached<Endpoints>>('core/endpoints');
  const slices = ctx.informers.of<Cached<EndpointSlice>>('discovery.k8s.io/endpointslices');
  slices.addIndex(MIRROR_INDEX, (s) => {
    const key = mirroredKey(s);
    return key ? [key] : [];
  });
  const tracker = new SliceTracker();
  const sync = new MirroringSync(new SliceWriter(ctx.client, tracker), tracker, ctx.recorder(COMPONENT), services, endpoints, slices);
  const queue = new WorkQueue();
  const sliceEvent = (slice: EndpointSlice, deleted: boolean) => {
    const key = mirroredKey(slice);
    if (key && !tracker.isOwnWrite(key, slice, deleted)) queue.add(key);
  };
  endpoints.addHandlers({
    onAdd: (e) => queue.add(keyOf(e)),
    onUpdate: (_o, e) => queue.add(keyOf(e)),
    onDelete: (e) => queue.add(keyOf(e)),
  });
  services.addHandlers({
    onAdd: (s) => queue.add(keyOf(s)),
    onUpdate: (o, s) => {
      if (hasSelector(o) !== hasSelector(s)) queue.add(keyOf(s));
    },
    onDelete: (s) => queue.add(keyOf(s)),
  });
  slices.addHandlers({
    onAdd: (s) => sliceEvent(s, false),
    onUpdate: (_o, s) => sliceEvent(s, false),
    onDelete: (s) => sliceEvent(s, true),
  });
  return runController(COMPONENT, queue, (key) => sync.reconcile(key), ctx.logger, opts.workers ?? 4);
}
