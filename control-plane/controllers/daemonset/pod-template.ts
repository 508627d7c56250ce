/**
 * A DaemonSet's pods as upstream makes them: the template with the DaemonSet's default tolerations
 * (so node problems neither block nor evict them), labelled with the revision hash (and the
 * template generation, when the DaemonSet carries one), and pinned to their node by a required node
 * affinity on metadata.name, which the scheduler honours when it binds them. Pure.
 */
import { newControllerRef } from '../../api/owner-references.js';
import type { Toleration } from '../../api/taints.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** The API server's record of the template generation on the DaemonSet (upstream's deprecated annotation). */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });

/** The tolerations every daemon pod gets (upstream's AddOrUpdateDaemonPodTolerations). */
function daemonTolerations(hostNetwork: boolean): Toleration[] {
  return [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [exists('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
}

const sameToleration = (a: Toleration, b: Toleration) =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');

/** A copy of a pod spec with the default tolerations added, each replacing an equal (key, operator, value, effect) one. */
export function daemonPodSpec(spec: any): any {
  const out = structuredClone(spec ?? {});
  const tolerations: Toleration[] = out.tolerations ?? [];
  for (const t of daemonTolerations(out.hostNetwork === true)) {
    const i = tolerations.findIndex((x) => sameToleration(x, t));
    if (i >= 0) tolerations[i] = t;
    else tolerations.push(t);
  }
  out.tolerations = tolerations;
  return out;
}

/**
 * A copy of `affinity` whose required node affinity selects exactly `nodeName` by metadata.name
 * (upstream's ReplaceDaemonSetPodNodeNameNodeAffinity: other required terms are dropped, the node
 * was already found to match them; preferred terms and pod (anti-)affinity stay).
 */
export function pinToNode(affinity: any, nodeName: string): any {
  const out = structuredClone(affinity ?? {});
  out.nodeAffinity = {
    ...(out.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] },
  };
  return out;
}

/** The node a daemon pod is for: its spec.nodeName, or the node its required affinity pins it to. */
export function targetNodeOf(pod: any): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** The template generation the DaemonSet records, if any. */
export function templateGeneration(ds: any): string | undefined {
  return ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
}

/** Whether a pod runs the DaemonSet's current template (upstream's IsPodUpdated: by hash, or by template generation). */
export function isPodUpdated(pod: any, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  return (!!hash && labels[REVISION_HASH_LABEL] === hash) || (generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation);
}

/** The new daemon pod for `nodeName`. */
export function newDaemonPod(ds: any, hash: string, nodeName: string): any {
  const template = ds.spec?.template ?? {};
  const meta = template.metadata ?? {};
  const spec = daemonPodSpec(template.spec);
  spec.affinity = pinToNode(spec.affinity, nodeName);
  const generation = templateGeneration(ds);
  return {
    metadata: {
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...(generation !== undefined ? { [TEMPLATE_GENERATION_LABEL]: generation } : {}), [REVISION_HASH_LABEL]: hash },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata })],
    },
    spec,
  };
}
