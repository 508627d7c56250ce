/**
 * Why a pod fits nowhere, worded as upstream's FitError.Error(): every node's rejection reasons
 * counted, as "<count> <reason>" sorted as strings, after "0/<nodes> nodes are available:", with
 * the preemption outcome appended, e.g.
 *
 *   0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },
 *   2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for
 *   scheduling, 2 No preemption victims found for incoming pod.
 */

/** A filter's verdict against one node: the reasons, and whether preemption could change it. */
export interface Rejection {
  readonly reasons: readonly string[];
  /** True when removing pods from the node cannot help (upstream's UnschedulableAndUnresolvable). */
  readonly unresolvable: boolean;
}

export function rejection(reasons: string | readonly string[], unresolvable = false): Rejection {
  return { reasons: typeof reasons === 'string' ? [reasons] : reasons, unresolvable };
}

export class FitError {
  /** Appended after the reasons: the preemption outcome (`preemption: …`), if preemption ran and failed. */
  postFilterMessage = '';

  constructor(
    readonly numAllNodes: number,
    /** Each rejecting node's verdict. */
    readonly statuses: ReadonlyMap<string, Rejection>,
    /** The verdict of nodes absent from `statuses` (upstream's absent-nodes status), if any. */
    readonly absent?: Rejection,
  ) {}

  message(): string {
    const counts = new Map<string, number>();
    for (const status of this.statuses.values()) for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const missing = this.numAllNodes - this.statuses.size;
    if (this.absent && missing > 0) for (const r of this.absent.reasons) counts.set(r, (counts.get(r) ?? 0) + missing);
    const histogram = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
    let msg = `0/${this.numAllNodes} nodes are available:`;
    if (histogram.length) msg += ` ${histogram.join(', ')}.`;
    if (this.postFilterMessage) msg += ` ${this.postFilterMessage}`;
    return msg;
  }
}
