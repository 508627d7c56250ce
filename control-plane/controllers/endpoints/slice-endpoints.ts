/**
 * The pieces an EndpointSlice of a Service is made of, as upstream's endpointslice reconciler
 * builds them: a pod's endpoint (addresses, ready/serving/terminating, node, zone, hostname,
 * targetRef), a pod's port set (Service ports with targetPorts resolved in that pod), the slice
 * labels (the Service's labels plus the reserved ones) and a new empty slice owned by the Service.
 * Also the identities the reconciler compares by. Pure.
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isPodReady } from '../shared/pod-readiness.js';
import { findPort, podIPv4s, shouldSetHostname } from './pods.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** The mirroring controller leaves Endpoints with this label alone (upstream's discovery.LabelSkipMirror). */
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
/** The managed-by value of slices this controller writes (upstream's controller name). */
export const SLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
/** Upstream's default --max-endpoints-per-slice. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

const RESERVED_LABELS = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

/** A Service with a cluster IP (not headless). */
export function hasClusterIP(svc: Service): boolean {
  return !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None';
}

/**
 * The endpoint of a pod for a Service. `ready` is serving and not terminating, or always true with
 * publishNotReadyAddresses; `serving` is the pod's Ready condition whatever its deletion.
 */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPv4s(pod),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[LABEL_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  return ep;
}

/**
 * The ports a pod serves a Service on: each Service port whose targetPort resolves in this pod
 * (a pod without a named target port leaves that port out). None for a headless Service without ports.
 */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    ports.push(ep);
  }
  return ports;
}

/** The identity of a port set: the same ports in any order give the same key. */
export function portsKey(ports: EndpointPort[] | undefined | null): string {
  return JSON.stringify((ports ?? []).map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port ?? null, p.appProtocol ?? '']).sort());
}

/** The identity of an endpoint, as upstream hashes it: addresses, hostname and the target's namespace/name. */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** Whether two endpoints of the same identity differ in what the slice records beyond it. */
export function endpointChanged(a: Endpoint, b: Endpoint): boolean {
  const rest = (e: Endpoint) =>
    JSON.stringify([
      e.nodeName ?? null,
      e.zone ?? null,
      e.conditions?.ready ?? null,
      e.conditions?.serving ?? null,
      e.conditions?.terminating ?? null,
      e.targetRef ? [e.targetRef.kind, e.targetRef.namespace, e.targetRef.name, e.targetRef.uid] : null,
    ]);
  return rest(a) !== rest(b);
}

/** Whether two label (or annotation) maps hold the same entries; a missing map is empty. */
export function sameEntries(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  return Object.keys(a ?? {}).length === Object.keys(b ?? {}).length && Object.entries(a ?? {}).every(([k, v]) => b?.[k] === v);
}

/**
 * The labels a slice of `svc` must carry: the Service's own labels (its reserved ones ignored),
 * the headless label for a Service without cluster IP, the service name and managed-by. `changed`
 * when the slice's non-reserved labels differ from the Service's.
 */
export function sliceLabels(svc: Service, current: Record<string, string> | undefined, managedBy: string): { labels: Record<string, string>; changed: boolean } {
  const own = (labels: Record<string, string> | undefined) => Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !RESERVED_LABELS.has(k)));
  const wanted = own(svc.metadata?.labels);
  const changed = !sameEntries(wanted, own(current));
  const labels: Record<string, string> = { ...wanted };
  if (!hasClusterIP(svc)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata!.name!;
  labels[LABEL_MANAGED_BY] = managedBy;
  return { labels, changed };
}

/** The controller reference every managed slice carries to its Service. */
export function serviceOwnerRef(svc: Service) {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

/** Whether a slice names `svc` (this very object, by uid) as its owner. */
export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((o) => o.uid === svc.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

/** A new, empty IPv4 slice for `svc` with these ports; the API names it `<service>-<random>`. */
export function newSlice(svc: Service, ports: EndpointPort[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata!.name}-`,
      namespace: svc.metadata!.namespace,
      labels: sliceLabels(svc, undefined, SLICE_CONTROLLER_NAME).labels,
      ownerReferences: [serviceOwnerRef(svc)],
    },
    addressType: 'IPv4',
    endpoints: [],
    ports,
  };
}

/** `fresh` (a planned new slice) written over the stored slice `old`: its name and resourceVersion instead of generateName. */
export function replacing(old: EndpointSlice, fresh: EndpointSlice): EndpointSlice {
  const { generateName: _, ...meta } = fresh.metadata!;
  return { ...fresh, metadata: { ...meta, name: old.metadata!.name, resourceVersion: old.metadata!.resourceVersion } };
}
