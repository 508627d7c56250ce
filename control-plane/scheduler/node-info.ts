/**
 * NodeInfo: one node as the scheduler sees it, kept current incrementally (upstream's
 * framework.NodeInfo): its allocatable resources, labels and taints, and the sum of what the pods
 * on it (bound, assumed, terminating; not terminal ones) request, their host ports, the pods with
 * affinity terms and per-controller pod counts. Plugins read it; only the cache and preemption's
 * simulations (on clones) change it.
 */
import type { NodeFacts } from '../api/node-selector.js';
import type { Taint } from '../api/taints.js';
import type { PodInfo } from './pod-info.js';
import { Resource, resourceOf, whole } from './resources.js';

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

export class NodeInfo implements NodeFacts {
  /** The Node object; undefined while only pods bound to this name are known. */
  node: any = undefined;
  labels: Readonly<Record<string, string>> = NO_LABELS;
  taints: readonly Taint[] = [];
  unschedulable = false;
  allocatable = new Resource();
  allowedPodNumber = 0;
  readonly requested = new Resource();
  nonZeroCpu = 0;
  nonZeroMemory = 0;
  /** Pods by uid. */
  readonly pods = new Map<string, PodInfo>();
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();
  /** `protocol/port` → host IP → number of pods using it. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** controller uid → pods of that controller on this node. */
  readonly ownerCounts = new Map<string, number>();
  /** Bumped on every change. */
  generation = 0;

  constructor(readonly name: string) {}

  /** Takes the node's labels, taints, unschedulable flag and allocatable (capacity when allocatable is unset, as upstream's defaulting). */
  setNode(node: any): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? NO_LABELS;
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    const list = node.status?.allocatable ?? node.status?.capacity ?? {};
    this.allocatable = resourceOf(list);
    this.allowedPodNumber = list.pods !== undefined ? whole(list.pods) : 0;
    this.generation++;
  }

  addPod(pod: PodInfo): void {
    this.pods.set(pod.uid, pod);
    this.account(pod, 1);
  }

  /** Removes the pod with this uid; returns it, or undefined when it was not here. */
  removePod(uid: string): PodInfo | undefined {
    const pod = this.pods.get(uid);
    if (!pod) return undefined;
    this.pods.delete(uid);
    this.account(pod, -1);
    return pod;
  }

  private account(pod: PodInfo, sign: 1 | -1): void {
    this.requested.add(pod.requests, sign);
    this.nonZeroCpu += sign * pod.nonZeroCpu;
    this.nonZeroMemory += sign * pod.nonZeroMemory;
    if (pod.hasAffinity) {
      if (sign > 0) this.podsWithAffinity.add(pod);
      else this.podsWithAffinity.delete(pod);
    }
    if (pod.requiredAntiAffinity.length) {
      if (sign > 0) this.podsWithRequiredAntiAffinity.add(pod);
      else this.podsWithRequiredAntiAffinity.delete(pod);
    }
    for (const p of pod.hostPorts) {
      const key = `${p.protocol}/${p.port}`;
      let ips = this.usedPorts.get(key);
      if (!ips) this.usedPorts.set(key, (ips = new Map()));
      const n = (ips.get(p.ip) ?? 0) + sign;
      if (n > 0) ips.set(p.ip, n);
      else ips.delete(p.ip);
      if (ips.size === 0) this.usedPorts.delete(key);
    }
    if (pod.ownerUid) {
      const n = (this.ownerCounts.get(pod.ownerUid) ?? 0) + sign;
      if (n > 0) this.ownerCounts.set(pod.ownerUid, n);
      else this.ownerCounts.delete(pod.ownerUid);
    }
    this.generation++;
  }

  /** Whether a pod binding `protocol/port` on `ip` would clash with a pod already here. */
  portInUse(ip: string, protocol: string, port: number): boolean {
    const ips = this.usedPorts.get(`${protocol}/${port}`);
    if (!ips) return false;
    if (ip === '0.0.0.0') return true;
    return ips.has(ip) || ips.has('0.0.0.0');
  }

  /** A copy whose pods can be added and removed without touching this one (preemption's what-ifs). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.labels = this.labels;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.allocatable = this.allocatable;
    c.allowedPodNumber = this.allowedPodNumber;
    for (const pod of this.pods.values()) c.addPod(pod);
    return c;
  }
}
