/**
 * Nominated pods (upstream's nominator): a pod that preempted others is nominated to the node it
 * freed (status.nominatedNodeName) until it is bound or gone. While it waits for its victims to
 * leave, pods of lower priority see it as already present on that node.
 */
import type { PodInfo } from './pod-info.js';

const NONE: readonly PodInfo[] = [];

export class Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  /** Nominates `pod` to `node`, or drops its nomination when `node` is undefined or empty. */
  set(pod: PodInfo, node: string | undefined): void {
    this.delete(pod.uid);
    if (!node) return;
    let pods = this.byNode.get(node);
    if (!pods) this.byNode.set(node, (pods = new Map()));
    pods.set(pod.uid, pod);
    this.nodeOf.set(pod.uid, node);
  }

  delete(uid: string): void {
    const node = this.nodeOf.get(uid);
    if (node === undefined) return;
    this.nodeOf.delete(uid);
    const pods = this.byNode.get(node)!;
    pods.delete(uid);
    if (pods.size === 0) this.byNode.delete(node);
  }

  nodeOfPod(uid: string): string | undefined {
    return this.nodeOf.get(uid);
  }

  podsOn(node: string): readonly PodInfo[] {
    const pods = this.byNode.get(node);
    return pods ? [...pods.values()] : NONE;
  }
}
