/**
 * The labels the Docker runtime writes on its containers and reads back: LABELS of the runtime
 * contract plus two of its own, each key behind an optional prefix. Two runtimes with different
 * prefixes share one engine without seeing (or adopting) each other's objects; statuses always
 * report the keys without the prefix, so pod logic reads LABELS as usual.
 */
import { LABELS, type PodIdentity } from '../runtime.js';

const KEYS = {
  ...LABELS,
  /** On containers: the id of their sandbox. */
  sandboxId: 'io.tugboat.sandbox-id',
  /** On containers: the image as the pod spec names it (Docker lists image ids once a tag moves). */
  image: 'io.tugboat.image',
} as const;

export type LabelKeys = { readonly [K in keyof typeof KEYS]: string };

/** The (prefixed) label keys of a runtime. */
export function labelKeys(prefix: string): LabelKeys {
  return Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [k, prefix + v])) as LabelKeys;
}

/** Docker labels as statuses report them: managed keys without the prefix, others as they are. */
export function reportedLabels(labels: Record<string, string> | undefined, keys: LabelKeys): Record<string, string> {
  const byKey = new Map(Object.entries(keys).map(([k, prefixed]) => [prefixed, KEYS[k as keyof typeof KEYS]]));
  return Object.fromEntries(Object.entries(labels ?? {}).map(([k, v]) => [byKey.get(k) ?? k, v]));
}

export function podFromLabels(labels: Record<string, string> | undefined, keys: LabelKeys): PodIdentity {
  return { uid: labels?.[keys.podUid] ?? '', name: labels?.[keys.podName] ?? '', namespace: labels?.[keys.podNamespace] ?? '' };
}

export function podLabels(pod: PodIdentity, keys: LabelKeys): Record<string, string> {
  return { [keys.podUid]: pod.uid, [keys.podName]: pod.name, [keys.podNamespace]: pod.namespace };
}

export function attemptFromLabels(labels: Record<string, string> | undefined, keys: LabelKeys): number {
  const n = Number(labels?.[keys.attempt]);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** The annotations stored as JSON in one label; {} when absent or unreadable. */
export function annotationsFromLabels(labels: Record<string, string> | undefined, keys: LabelKeys): Record<string, string> {
  try {
    const parsed = JSON.parse(labels?.[keys.annotations] ?? '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}
