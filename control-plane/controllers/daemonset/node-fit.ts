/**
 * Whether a DaemonSet's pod belongs on a node, as upstream's NodeShouldRunDaemonPod: the
 * template's nodeName (if set), nodeSelector and required node affinity must match the node, and
 * the node's NoSchedule/NoExecute taints must be tolerated (with the DaemonSet's default
 * tolerations added). A pod already there may stay if only NoSchedule taints are untolerated.
 * Pure.
 */
import { daemonPodSpec } from './pod-template.js';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal' | string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Upstream's Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if (!t.operator || t.operator === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

/** The first taint passing `filter` that no toleration tolerates. */
export function untoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[], filter: (t: Taint) => boolean): Taint | undefined {
  return taints.find((taint) => filter(taint) && !tolerations.some((t) => tolerates(t, taint)));
}

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

/** One node selector requirement against a value (undefined: the label or field is absent). */
function requirementMatches(r: Requirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0]!)) return false;
      return r.operator === 'Gt' ? BigInt(value) > BigInt(values[0]!) : BigInt(value) < BigInt(values[0]!);
    }
    default:
      return false;
  }
}

/** A NodeSelectorTerm: all its expressions (labels) and fields (metadata.name) hold; an empty term matches nothing. */
function termMatches(term: { matchExpressions?: Requirement[]; matchFields?: Requirement[] }, node: any): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  return (
    exprs.every((r) => requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name))
  );
}

/** The pod spec's nodeSelector and required node affinity (any term) both match the node. */
export function matchesNodeSelectorAndAffinity(spec: any, node: any): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries<string>(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((term: any) => termMatches(term, node));
}

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
  if (untoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) {
    return { shouldRun: false, shouldContinueRunning: !untoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute') };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
