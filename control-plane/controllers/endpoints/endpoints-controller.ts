/**
 * The Endpoints controller (upstream's pkg/controller/endpoint): keeps a core/v1 Endpoints object,
 * named as its Service, for every Service with a selector: Ready pods under `addresses`, the others
 * under `notReadyAddresses`, labels copied from the Service (plus the headless label). A deleted
 * Service's Endpoints are deleted; Services without a selector (users write their Endpoints, the
 * `kubernetes` Service is kept by the API servers) and ExternalName ones are left alone. At start,
 * Endpoints without a Service (left over from a deletion while no controller ran) are deleted.
 * Level-based over the Service, pod and Endpoints informers; writes only on a difference.
 */
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { storageResource } from '../../api/registry.js';
import { deepEqual } from '../../api/validation/json.js';
import { isNotFound, type ApiClient } from '../../client/api-client.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { byNamespace, keyOf, type Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { endpointSubsets, OVER_CAPACITY_ANNOTATION, truncateSubsets } from './endpoints-subsets.js';
import { selectsPods, servicePodHandlers, serviceSelects } from './service-pods.js';
import { hasClusterIP, LABEL_HEADLESS, sameEntries } from './slice-endpoints.js';

const endpointsDef = storageResource('core/endpoints');

const COMPONENT = 'endpoint-controller';
const NAMESPACE_INDEX = 'namespace';
const SYNC_WAIT_MS = 50;

type Cached<T> = T & { metadata: any };

/** The Endpoints object `svc` should have, given the current one (kept: its other annotations, resourceVersion). */
export function desiredEndpoints(svc: Service, pods: Pod[], current: Endpoints | undefined): Endpoints {
  const { subsets, truncated } = truncateSubsets(endpointSubsets(svc, pods));
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (hasClusterIP(svc)) delete labels[LABEL_HEADLESS];
  else labels[LABEL_HEADLESS] = '';
  const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  else delete annotations[OVER_CAPACITY_ANNOTATION];
  const metadata = { ...(current?.metadata ?? { name: svc.metadata!.name, namespace: svc.metadata!.namespace }), labels, annotations };
  if (Object.keys(annotations).length === 0) delete (metadata as any).annotations;
  const ep: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata };
  if (subsets.length > 0) ep.subsets = subsets;
  return ep;
}

/** Whether writing `desired` would change `current` (subsets, labels or annotations). */
export function endpointsDiffer(current: Endpoints, desired: Endpoints): boolean {
  return (
    !deepEqual(current.subsets, desired.subsets) ||
    !sameEntries(current.metadata?.labels, desired.metadata?.labels) ||
    !sameEntries(current.metadata?.annotations, desired.metadata?.annotations)
  );
}

class EndpointsSync {
  constructor(
    private readonly client: ApiClient,
    private readonly recorder: EventRecorder,
    private readonly services: Informer<Cached<Service>>,
    private readonly pods: Informer<Cached<Pod>>,
    private readonly endpoints: Informer<Cached<Endpoints>>,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (![this.services, this.pods, this.endpoints].every((i) => i.hasSynced())) return { requeueAfterMs: SYNC_WAIT_MS };
    const [namespace, name] = key.split('/') as [string, string];
    const svc = this.services.get(key);
    if (!svc) {
      try {
        await this.client.delete(endpointsDef, namespace, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    if (!selectsPods(svc)) return;
    const pods = this.pods.byIndex(NAMESPACE_INDEX, namespace).filter((p) => serviceSelects(svc, p.metadata?.labels));
    const current = this.endpoints.get(key);
    const desired = desiredEndpoints(svc, pods, current);
    if (current && !endpointsDiffer(current, desired)) return;
    try {
      if (current) await this.client.update(endpointsDef, namespace, name, desired);
      else await this.client.create(endpointsDef, namespace, desired);
    } catch (err) {
      const [reason, verb] = current ? ['FailedToUpdateEndpoint', 'update'] : ['FailedToCreateEndpoint', 'create'];
      this.recorder.event(desired as any, 'Warning', reason, `Failed to ${verb} endpoint ${key}: ${(err as Error).message}`);
      throw err;
    }
  }
}

/** Starts the controller on the shared informers; returns at once. */
export function startEndpointsController(ctx: ControllerContext, opts: { workers?: number } = {}): ControllerHandle {
  const services = ctx.informers.of<Cached<Service>>('core/services');
  const pods = ctx.informers.of<Cached<Pod>>('core/pods');
  const endpoints = ctx.informers.of<Cached<Endpoints>>('core/endpoints');
  services.addIndex(NAMESPACE_INDEX, byNamespace);
  pods.addIndex(NAMESPACE_INDEX, byNamespace);

  const sync = new EndpointsSync(ctx.client, ctx.recorder(COMPONENT), services, pods, endpoints);
  const queue = new WorkQueue();
  services.addHandlers({
    onAdd: (s) => queue.add(keyOf(s)),
    onUpdate: (_o, s) => queue.add(keyOf(s)),
    onDelete: (s) => queue.add(keyOf(s)),
  });
  pods.addHandlers(servicePodHandlers(services, NAMESPACE_INDEX, queue));
  // Endpoints of a Service removed by someone else are put back.
  endpoints.addHandlers({
    onDelete: (e) => {
      if (services.get(keyOf(e))) queue.add(keyOf(e));
    },
  });
  // Once at start, as upstream: Endpoints left over from Services deleted while no controller ran go.
  void endpoints.waitForSync().then(() => {
    for (const e of endpoints.list()) queue.add(keyOf(e));
  });
  return runController(COMPONENT, queue, (key) => sync.reconcile(key), ctx.logger, opts.workers ?? 4);
}
