/**
 * Taints and tolerations as upstream's core/v1 helpers match them (Toleration.ToleratesTaint and
 * the taint helpers the scheduler, the DaemonSet controller and the taint eviction controller
 * share). Pure functions.
 */

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/**
 * Whether `t` tolerates `taint`: an empty effect matches every effect; an empty key with operator
 * Exists matches every key; Exists ignores the value, Equal (the default) needs the same value.
 */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case '':
    case 'Equal':
      // An empty key is only allowed with Exists; validation refuses it otherwise.
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/** Whether some toleration of `tolerations` tolerates `taint`. */
export function toleratedBy(taint: Taint, tolerations: readonly Toleration[]): boolean {
  for (const t of tolerations) if (tolerates(t, taint)) return true;
  return false;
}

/** The first of `taints` passing `include` that no toleration tolerates, or undefined. */
export function firstUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[], include: (t: Taint) => boolean): Taint | undefined {
  for (const taint of taints) if (include(taint) && !toleratedBy(taint, tolerations)) return taint;
  return undefined;
}

/** Taints that keep new pods off a node: NoSchedule and NoExecute. */
export const blocksScheduling = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
