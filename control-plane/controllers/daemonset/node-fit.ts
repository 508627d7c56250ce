/**
 * Whether a DaemonSet's pod belongs on a node, as upstream's NodeShouldRunDaemonPod: the
 * template's nodeName (if set), nodeSelector and required node affinity must match the node, and
 * the node's NoSchedule/NoExecute taints must be tolerated (with the DaemonSet's default
 * tolerations added). A pod already there may stay if only NoSchedule taints are untolerated.
 * Node selection and toleration matching are the shared ones of control-plane/api. Pure.
 */
import { matchesNodeSelectorAndAffinity } from '../../api/node-selector.js';
import { blocksScheduling, firstUntolerated, type Taint, type Toleration } from '../../api/taints.js';
import { daemonPodSpec } from './pod-template.js';

export interface NodeFit {
  /** A daemon pod should be created here when missing. */
  shouldRun: boolean;
  /** A daemon pod already here may keep running. */
  shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(node: any, ds: any): NodeFit {
  const spec = daemonPodSpec(ds.spec?.template?.spec ?? {});
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!matchesNodeSelectorAndAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints: Taint[] = node.spec?.taints ?? [];
  const tolerations: Toleration[] = spec.tolerations ?? [];
  if (firstUntolerated(taints, tolerations, blocksScheduling)) {
    return { shouldRun: false, shouldContinueRunning: !firstUntolerated(taints, tolerations, (t) => t.effect === 'NoExecute') };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
