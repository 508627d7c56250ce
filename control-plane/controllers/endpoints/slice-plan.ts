/**
 * The EndpointSlice reconciler of upstream's endpointslice controller, as a pure plan: given a
 * Service, the pods it selects, the nodes and the slices this controller already manages for it,
 * which slices to create, update and delete so that every pod with an IP is listed once, grouped by
 * the port set its targetPorts resolve to, at most `maxPerSlice` endpoints per slice.
 *
 * Churn is kept low as upstream keeps it: endpoints stay in the slice they are in; a slice is
 * rewritten only when one of its endpoints changed or went; new endpoints first fill slices that
 * are being rewritten anyway, then the one unchanged slice they fit best, and only then new slices;
 * a slice about to be deleted is reused (updated) instead of creating another. A Service with no
 * endpoints keeps one empty placeholder slice. Pods on a node that does not exist are left out
 * (reported in `skippedPods`, to retry) unless publishNotReadyAddresses.
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { shouldPodBeInEndpoints } from './pods.js';
import {
  endpointChanged,
  endpointKey,
  endpointPorts,
  MAX_ENDPOINTS_PER_SLICE,
  newSlice,
  ownedBy,
  podToEndpoint,
  portsKey,
  replacing,
  sameEntries,
  SLICE_CONTROLLER_NAME,
  sliceLabels,
} from './slice-endpoints.js';

export interface SliceInput {
  service: Service;
  /** The pods the Service selects (any state; the plan filters). */
  pods: Pod[];
  /** The node of a name, or undefined when there is none. */
  node(name: string): Node | undefined;
  /** The slices of this Service managed by this controller. */
  existing: EndpointSlice[];
  maxPerSlice?: number;
}

export interface SlicePlan {
  /** New slices (metadata.generateName set). */
  create: EndpointSlice[];
  /** Full replacements of existing slices, carrying their resourceVersion. */
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** `namespace/name` of pods left out because their node does not exist. */
  skippedPods: string[];
}

interface Group {
  ports: EndpointPort[];
  /** Desired endpoints by endpointKey, in pod-name order. */
  endpoints: Map<string, Endpoint>;
}

/** Desired endpoints grouped by port set. */
function desiredGroups(input: SliceInput, skippedPods: string[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  const pods = [...input.pods].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const node = pod.spec?.nodeName ? input.node(pod.spec.nodeName) : undefined;
    if (!node && !input.service.spec?.publishNotReadyAddresses) {
      skippedPods.push(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
      continue;
    }
    const endpoint = podToEndpoint(pod, node, input.service);
    if (endpoint.addresses.length === 0) continue;
    const ports = endpointPorts(input.service, pod);
    const key = portsKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: new Map() }));
    group.endpoints.set(endpointKey(endpoint), endpoint);
  }
  return groups;
}

const copySlice = (s: EndpointSlice): EndpointSlice => structuredClone(s);

/** The slice among `candidates` that `count` more endpoints fill closest to `max`, if any fits. */
function sliceToFill(candidates: EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestRoom = max;
  for (const s of candidates) {
    const room = max - (count + s.endpoints.length);
    if (room >= 0 && room < bestRoom) {
      best = s;
      bestRoom = room;
      if (room === 0) break;
    }
  }
  return best;
}

/** The plan for the slices of one port set. */
function planGroup(svc: Service, existing: EndpointSlice[], group: Group, max: number, plan: SlicePlan): void {
  const desired = new Map(group.endpoints);
  const toUpdate = new Map<string, EndpointSlice>();
  const unchanged = new Map<string, EndpointSlice>();

  // 1. Keep desired endpoints where they are; drop the others.
  for (const slice of existing) {
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of slice.endpoints ?? []) {
      const key = endpointKey(ep);
      const want = desired.get(key);
      if (!want) continue;
      kept.push(want);
      if (endpointChanged(want, ep)) changed = true;
      desired.delete(key);
    }
    const { labels, changed: labelsChanged } = sliceLabels(svc, slice.metadata?.labels, SLICE_CONTROLLER_NAME);
    const rewrite = (endpoints: Endpoint[]) => {
      const next = copySlice(slice);
      next.endpoints = endpoints;
      next.metadata!.labels = labels;
      toUpdate.set(slice.metadata!.name!, next);
    };
    if (changed || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) plan.delete.push(slice);
      else rewrite(kept);
    } else if (labelsChanged) {
      rewrite(kept);
    } else {
      unchanged.set(slice.metadata!.name!, slice);
    }
  }

  const remaining = [...desired.values()];
  // 2. Fill the slices being rewritten anyway, fullest first.
  for (const slice of [...toUpdate.values()].sort((a, b) => b.endpoints.length - a.endpoints.length)) {
    while (remaining.length > 0 && slice.endpoints.length < max) slice.endpoints.push(remaining.shift()!);
  }
  // 3. Then the unchanged slice the rest fits best, else new slices.
  while (remaining.length > 0) {
    const fit = remaining.length < max ? sliceToFill([...unchanged.values()], remaining.length, max) : undefined;
    const slice = fit ? copySlice(fit) : newSlice(svc, group.ports);
    while (remaining.length > 0 && slice.endpoints.length < max) slice.endpoints.push(remaining.shift()!);
    if (fit) {
      unchanged.delete(fit.metadata!.name!);
      toUpdate.set(fit.metadata!.name!, slice);
    } else {
      plan.create.push(slice);
    }
  }
  plan.update.push(...toUpdate.values());
}

/** An empty slice with no ports and the right labels and owner: what a Service without endpoints keeps. */
function isPlaceholderFor(slice: EndpointSlice, svc: Service): boolean {
  const want = sliceLabels(svc, undefined, SLICE_CONTROLLER_NAME).labels;
  return (slice.endpoints ?? []).length === 0 && (slice.ports ?? []).length === 0 && ownedBy(slice, svc) && sameEntries(want, slice.metadata?.labels);
}

export function planSlices(input: SliceInput): SlicePlan {
  const svc = input.service;
  const max = input.maxPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const plan: SlicePlan = { create: [], update: [], delete: [], skippedPods: [] };

  // Slices of another address type, or of an earlier Service of the same name, go.
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const slice of input.existing) {
    if (slice.addressType !== 'IPv4' || !ownedBy(slice, svc)) {
      plan.delete.push(slice);
      continue;
    }
    const key = portsKey(slice.ports);
    byPorts.set(key, [...(byPorts.get(key) ?? []), slice]);
  }

  const groups = desiredGroups(input, plan.skippedPods);
  for (const [key, group] of groups) planGroup(svc, byPorts.get(key) ?? [], group, max, plan);
  for (const [key, slices] of byPorts) if (!groups.has(key)) plan.delete.push(...slices);

  // A Service without endpoints keeps exactly one placeholder slice.
  if (input.existing.length === plan.delete.length && plan.create.length === 0) {
    if (plan.delete.length === 1 && isPlaceholderFor(plan.delete[0]!, svc)) plan.delete = [];
    else plan.create.push(newSlice(svc, []));
  }

  // Reuse slices about to be deleted for slices about to be created.
  for (let i = 0; i < plan.delete.length && plan.create.length > 0; ) {
    const old = plan.delete[i]!;
    if (old.addressType === 'IPv4' && ownedBy(old, svc)) {
      plan.update.push(replacing(old, plan.create.pop()!));
      plan.delete.splice(i, 1);
    } else {
      i++;
    }
  }
  return plan;
}
