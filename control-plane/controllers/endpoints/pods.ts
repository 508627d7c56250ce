/**
 * What the endpoint controllers read from a pod, as upstream's endpointslice util does: whether it
 * belongs in a Service's endpoints at all, its IPv4 addresses, the container port a Service port
 * targets, whether it publishes a hostname, and whether a change to it can change any endpoints.
 * Pure functions over pod JSON.
 */
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { isIPv4 } from 'node:net';
import { deepEqual } from '../../api/validation/json.js';
import { isPodReady } from '../shared/pod-readiness.js';

/** Succeeded or Failed: its containers have stopped for good. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The pod's IPv4 addresses: status.podIPs, or status.podIP where podIPs is missing. */
export function podIPv4s(pod: Pod): string[] {
  const listed = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  const ips = listed.length > 0 ? listed : pod.status?.podIP ? [pod.status.podIP] : [];
  return ips.filter((ip) => isIPv4(ip));
}

/**
 * Whether a pod appears in endpoints at all: not terminal, has an IP, and, unless
 * `includeTerminating`, not being deleted. Readiness is reported separately.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  return includeTerminating || !pod.metadata?.deletionTimestamp;
}

/** A pod publishes its hostname in a Service's endpoints when its subdomain names that Service. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

/**
 * The pod port a Service port sends to: a numeric targetPort as is (the port number when unset), a
 * named one looked up among the pod's container ports (and restartable init containers') of the
 * same protocol. Undefined when the pod has no such named port.
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/**
 * How a pod update matters to endpoints: `podChanged` when its endpoint may differ (deletion,
 * readiness, phase, addresses), `labelsChanged` when the Services selecting it may differ (labels,
 * or hostname/subdomain, which decide the published hostname).
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): { podChanged: boolean; labelsChanged: boolean } {
  const labelsChanged =
    !deepEqual(oldPod.metadata?.labels ?? {}, newPod.metadata?.labels ?? {}) || oldPod.spec?.hostname !== newPod.spec?.hostname || oldPod.spec?.subdomain !== newPod.spec?.subdomain;
  const podChanged =
    oldPod.metadata?.deletionTimestamp !== newPod.metadata?.deletionTimestamp ||
    isPodReady(oldPod) !== isPodReady(newPod) ||
    isPodTerminal(oldPod) !== isPodTerminal(newPod) ||
    oldPod.status?.podIP !== newPod.status?.podIP ||
    !deepEqual(oldPod.status?.podIPs, newPod.status?.podIPs) ||
    oldPod.spec?.nodeName !== newPod.spec?.nodeName;
  return { podChanged, labelsChanged };
}
