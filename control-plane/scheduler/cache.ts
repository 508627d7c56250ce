/**
 * The scheduler's cache (upstream's internal cache): a NodeInfo per node, kept current from the
 * node and pod informers, plus assumed pods: a pod the scheduler has decided to bind is added to
 * its node at once, so that the next pods see its requests before the informer reports the
 * binding; the informer's report confirms the assumption, a failed binding forgets it.
 *
 * Pods count on their node from binding until they are deleted or terminal (Succeeded/Failed),
 * terminating ones included. Pods bound to a node not (yet) known wait in a NodeInfo without a
 * node, which joins `nodes` when the Node appears. It is the ClusterView of every cycle.
 */
import type { ClusterView } from './framework.js';
import { NodeInfo } from './node-info.js';
import type { Nominator } from './nominator.js';
import type { NamespaceLabels, PodInfo } from './pod-info.js';

export class SchedulerCache implements ClusterView {
  private readonly infos = new Map<string, NodeInfo>();
  /** NodeInfos with a Node object, in arrival order: the nodes a pod may go to. */
  private readonly schedulable: NodeInfo[] = [];
  /** uid → node name of every cached pod. */
  private readonly podNode = new Map<string, string>();
  private readonly assumed = new Set<string>();
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;

  constructor(
    readonly namespaceLabels: NamespaceLabels,
    private readonly nominator: Nominator,
  ) {}

  get nodes(): readonly NodeInfo[] {
    return this.schedulable;
  }

  node(name: string): NodeInfo | undefined {
    return this.infos.get(name);
  }

  nominatedPods(node: string): readonly PodInfo[] {
    return this.nominator.podsOn(node);
  }

  nominatedNodeOf(uid: string): string | undefined {
    return this.nominator.nodeOfPod(uid);
  }

  private infoFor(name: string): NodeInfo {
    let info = this.infos.get(name);
    if (!info) this.infos.set(name, (info = new NodeInfo(name)));
    return info;
  }

  /** A Node was added or changed. */
  setNode(node: any): void {
    const info = this.infoFor(node.metadata.name);
    if (!info.node) this.schedulable.push(info);
    info.setNode(node);
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info?.node) return;
    this.schedulable.splice(this.schedulable.indexOf(info), 1);
    info.node = undefined;
    if (info.pods.size === 0) this.infos.delete(name);
  }

  hasPod(uid: string): boolean {
    return this.podNode.has(uid);
  }

  isAssumed(uid: string): boolean {
    return this.assumed.has(uid);
  }

  /** An assigned, non-terminal pod as the informer reports it (confirms an assumption). */
  setPod(pod: PodInfo, nodeName: string): void {
    this.assumed.delete(pod.uid);
    this.place(pod, nodeName);
  }

  /** Adds `pod` to `nodeName` ahead of its binding. */
  assume(pod: PodInfo, nodeName: string): void {
    this.place(pod, nodeName);
    this.assumed.add(pod.uid);
  }

  /** Undoes assume() after a failed binding; no-op once the informer confirmed the pod. */
  forget(uid: string): void {
    if (this.assumed.delete(uid)) this.removePod(uid);
  }

  private count(pod: PodInfo | undefined, sign: 1 | -1): void {
    if (!pod) return;
    if (pod.hasAffinity) this.podsWithAffinity += sign;
    if (pod.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity += sign;
  }

  private place(pod: PodInfo, nodeName: string): void {
    const current = this.podNode.get(pod.uid);
    if (current !== undefined) this.count(this.infos.get(current)?.removePod(pod.uid), -1);
    this.infoFor(nodeName).addPod(pod);
    this.count(pod, 1);
    this.podNode.set(pod.uid, nodeName);
  }

  /** A pod left its node (deleted or terminal). */
  removePod(uid: string): void {
    const name = this.podNode.get(uid);
    if (name === undefined) return;
    this.podNode.delete(uid);
    this.assumed.delete(uid);
    const info = this.infos.get(name);
    this.count(info?.removePod(uid), -1);
    if (info && !info.node && info.pods.size === 0) this.infos.delete(name);
  }
}
