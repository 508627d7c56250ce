/**
 * Keeps the `default/kubernetes` Service pointing at the API servers, as upstream's API servers do
 * themselves (the kubernetes-service controller and the lease endpoint reconciler). Every server
 * runs one, outside leader election: each round it creates the Service if missing (resetting its
 * ports and type if changed), renews its own Lease `kube-system/apiserver-endpoint-<address>`,
 * deletes Leases that expired, and rewrites the `kubernetes` Endpoints and EndpointSlice to the
 * addresses of the live Leases when they differ. stop() removes this server at once (its Lease and
 * its address). Writes carry resourceVersions; a conflict with another server is settled next round.
 *
 * The advertise address must be one pods can reach and the API accepts in endpoints: not loopback,
 * link-local or unspecified.
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { storageResource } from '../../api/registry.js';
import { deepEqual } from '../../api/validation/json.js';
import { isAlreadyExists, isConflict, isNotFound, type ApiClient, type ResourceType } from '../../client/api-client.js';
import type { ControllerHandle } from '../../client/controller.js';
import type { ControllerContext } from '../context.js';
import {
  API_ENDPOINT_LEASE_LABEL,
  DEFAULT_API_SERVICE_IP,
  endpointLeaseName,
  KUBERNETES_NAMESPACE,
  KUBERNETES_SERVICE,
  kubernetesEndpoints,
  kubernetesService,
  kubernetesServiceReset,
  kubernetesSlice,
  LEASE_NAMESPACE,
  leaseExpired,
  liveAddresses,
} from './kubernetes-service.js';
import { sameEntries } from './slice-endpoints.js';

const servicesDef = storageResource('core/services');
const endpointsDef = storageResource('core/endpoints');
const slicesDef = storageResource('discovery.k8s.io/endpointslices');
const leasesDef = storageResource('coordination.k8s.io/leases');

export interface KubernetesServiceOptions {
  /** This API server's address as pods reach it (IPv4). */
  advertiseAddress: string;
  /** This API server's secure port. */
  port: number;
  /** The `kubernetes` Service's ClusterIP: the first address of the service CIDR. */
  serviceIP?: string;
  /** How often the round runs (upstream: 10 s). */
  intervalMs?: number;
  /** How long this server's Lease lives without renewal (upstream: 15 s). */
  leaseDurationSeconds?: number;
}

const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

/** GET that answers undefined for 404. */
async function getOrUndefined<T>(client: ApiClient, def: ResourceType, namespace: string, name: string): Promise<T | undefined> {
  try {
    return await client.get<T>(def, namespace, name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Creates `obj`, or replaces the current one when `differs`; conflicts are left to the next round. */
async function writeIfChanged<T extends { metadata?: any }>(client: ApiClient, def: ResourceType, current: T | undefined, desired: T, differs: boolean): Promise<void> {
  try {
    if (!current) await client.create(def, desired.metadata.namespace, desired);
    else if (differs) await client.update(def, desired.metadata.namespace, desired.metadata.name, desired);
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
}

class KubernetesServiceReconciler {
  private readonly serviceIP: string;
  private readonly leaseName: string;
  private readonly durationS: number;

  constructor(
    private readonly client: ApiClient,
    private readonly opts: KubernetesServiceOptions,
  ) {
    this.serviceIP = opts.serviceIP ?? DEFAULT_API_SERVICE_IP;
    this.leaseName = endpointLeaseName(opts.advertiseAddress);
    this.durationS = opts.leaseDurationSeconds ?? 15;
  }

  async ensureService(): Promise<void> {
    const current = await getOrUndefined<Service>(this.client, servicesDef, KUBERNETES_NAMESPACE, KUBERNETES_SERVICE);
    if (!current) {
      try {
        await this.client.create(servicesDef, KUBERNETES_NAMESPACE, kubernetesService(this.serviceIP, this.opts.port));
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      return;
    }
    const reset = kubernetesServiceReset(current, this.opts.port);
    if (reset) await writeIfChanged(this.client, servicesDef, current, reset, true);
  }

  async renewLease(): Promise<void> {
    const now = Date.now();
    const current = await getOrUndefined<Lease>(this.client, leasesDef, LEASE_NAMESPACE, this.leaseName);
    const spec = { holderIdentity: this.opts.advertiseAddress, leaseDurationSeconds: this.durationS, renewTime: microTime(now) };
    const desired: Lease = current
      ? { ...current, spec: { ...current.spec, ...spec } }
      : { metadata: { name: this.leaseName, namespace: LEASE_NAMESPACE, labels: { [API_ENDPOINT_LEASE_LABEL]: 'true' } }, spec: { ...spec, acquireTime: microTime(now) } };
    await writeIfChanged(this.client, leasesDef, current, desired, true);
  }

  /** The live addresses; expired Leases are deleted on the way (by resourceVersion, so a renewal wins). */
  async liveAddresses(): Promise<string[]> {
    const leases = (await this.client.list<Lease>(leasesDef, LEASE_NAMESPACE, { labelSelector: API_ENDPOINT_LEASE_LABEL })).items;
    const now = Date.now();
    for (const lease of leases.filter((l) => leaseExpired(l, now))) {
      await this.client.delete(leasesDef, LEASE_NAMESPACE, lease.metadata!.name!, { preconditions: { resourceVersion: lease.metadata!.resourceVersion } }).catch(() => undefined);
    }
    return liveAddresses(leases, now);
  }

  async writeEndpoints(addresses: string[]): Promise<void> {
    const ep = await getOrUndefined<Endpoints>(this.client, endpointsDef, KUBERNETES_NAMESPACE, KUBERNETES_SERVICE);
    const wantEp = kubernetesEndpoints(addresses, this.opts.port, ep);
    await writeIfChanged(this.client, endpointsDef, ep, wantEp, !deepEqual(ep?.subsets, wantEp.subsets) || !sameEntries(ep?.metadata?.labels, wantEp.metadata?.labels));
    const slice = await getOrUndefined<EndpointSlice>(this.client, slicesDef, KUBERNETES_NAMESPACE, KUBERNETES_SERVICE);
    const wantSlice = kubernetesSlice(addresses, this.opts.port, slice);
    const sliceDiffers = !deepEqual(slice?.endpoints, wantSlice.endpoints) || !deepEqual(slice?.ports, wantSlice.ports) || !sameEntries(slice?.metadata?.labels, wantSlice.metadata?.labels);
    await writeIfChanged(this.client, slicesDef, slice, wantSlice, sliceDiffers);
  }

  async round(): Promise<void> {
    await this.ensureService();
    await this.renewLease();
    await this.writeEndpoints(await this.liveAddresses());
  }

  /** Takes this server out: its Lease goes, and the endpoints are rewritten without it. */
  async remove(): Promise<void> {
    await this.client.delete(leasesDef, LEASE_NAMESPACE, this.leaseName).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
    const addresses = (await this.liveAddresses()).filter((a) => a !== this.opts.advertiseAddress);
    await this.writeEndpoints(addresses);
  }
}

/**
 * Starts the rounds (the first at once); returns at once. Needs only a client and a logger, so it
 * can run on every server whether or not it leads the controllers.
 */
export function startKubernetesServiceReconciler(ctx: Pick<ControllerContext, 'client' | 'logger'>, opts: KubernetesServiceOptions): ControllerHandle {
  const log = ctx.logger.child({ controller: 'kubernetes-service', address: opts.advertiseAddress });
  const reconciler = new KubernetesServiceReconciler(ctx.client, opts);
  const interval = opts.intervalMs ?? 10_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    running = reconciler
      .round()
      .catch((err) => log.warn({ err: (err as Error).message }, 'could not reconcile the kubernetes service'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, interval);
      });
  };
  tick();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      await reconciler.remove().catch((err) => log.warn({ err: (err as Error).message }, 'could not remove this server from the kubernetes endpoints'));
    },
  };
}
