/**
 * What the scheduler needs of a pod, computed once per pod object (objects from the informer are
 * immutable: a new version is a new object): requests, host ports, affinity terms with compiled
 * selectors, controller, priority. PodInfos never copy the pod; `pod` is the informer's object.
 */
import { selectorFromLabelSelector, type LabelSelector } from '../api/labels.js';
import { requiredNodePredicate, type NodePredicate } from '../api/node-selector.js';
import { controllerRefOf } from '../api/owner-references.js';
import type { Toleration } from '../api/taints.js';
import { podRequests, type Resource } from './resources.js';

/** A pod (anti-)affinity term: pods in `namespaces` (or namespaces selected by `namespaceSelector`) whose labels match `selector`. */
export interface AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  /** undefined when the term names no namespace selector. */
  readonly namespaceSelector: LabelSelector | undefined;
  readonly selector: LabelSelector;
  readonly topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

/** Labels of a namespace (for namespaceSelector), undefined when unknown. */
export type NamespaceLabels = (namespace: string) => Readonly<Record<string, string>> | undefined;

const EMPTY: readonly never[] = [];

function compileTerm(pod: any, term: any): AffinityTerm {
  const names: string[] = term?.namespaces ?? [];
  const nsSel = term?.namespaceSelector;
  return {
    namespaces: new Set(names.length === 0 && !nsSel ? [pod.metadata?.namespace ?? ''] : names),
    namespaceSelector: nsSel ? selectorFromLabelSelector(nsSel) : undefined,
    selector: selectorFromLabelSelector(term?.labelSelector),
    topologyKey: term?.topologyKey ?? '',
  };
}

function compileTerms(pod: any, terms: any[] | undefined): readonly AffinityTerm[] {
  if (!terms?.length) return EMPTY;
  const out: AffinityTerm[] = [];
  for (const t of terms) {
    try {
      out.push(compileTerm(pod, t));
    } catch {
      // upstream drops terms whose selector does not parse (validation normally refuses them)
    }
  }
  return out;
}

function compileWeighted(pod: any, terms: any[] | undefined): readonly WeightedAffinityTerm[] {
  if (!terms?.length) return EMPTY;
  const out: WeightedAffinityTerm[] = [];
  for (const t of terms) {
    try {
      out.push({ ...compileTerm(pod, t?.podAffinityTerm), weight: t?.weight ?? 0 });
    } catch {
      // as above
    }
  }
  return out;
}

function hostPortsOf(spec: any): readonly HostPort[] {
  let out: HostPort[] | undefined;
  const containers = [...(spec?.initContainers ?? []).filter((c: any) => c?.restartPolicy === 'Always'), ...(spec?.containers ?? [])];
  for (const c of containers) {
    for (const p of c?.ports ?? []) {
      if (!p?.hostPort) continue;
      (out ??= []).push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out ?? EMPTY;
}

export class PodInfo {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name`: the informer's and the queue's key. */
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  /** What the pod needs of a node (filtering). */
  readonly requests: Resource;
  /** cpu and memory with upstream's non-zero defaults (scoring). */
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: readonly HostPort[];
  readonly tolerations: readonly Toleration[];
  /** nodeSelector + required node affinity; undefined when the pod has neither. */
  readonly requiredNodes: NodePredicate | undefined;
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
  /** The uid of the controller owning the pod (ReplicaSet, StatefulSet, Job, …), if any. */
  readonly ownerUid: string | undefined;
  /** Start time for preemption order (status.startTime, else creation), in ms. */
  readonly startTime: number;

  constructor(readonly pod: any) {
    const meta = pod.metadata ?? {};
    const spec = pod.spec ?? {};
    this.uid = meta.uid ?? '';
    this.namespace = meta.namespace ?? '';
    this.name = meta.name ?? '';
    this.key = `${this.namespace}/${this.name}`;
    this.labels = meta.labels ?? {};
    this.priority = spec.priority ?? 0;
    this.requests = podRequests(spec);
    const nonZero = podRequests(spec, true);
    this.nonZeroCpu = nonZero.milliCPU;
    this.nonZeroMemory = nonZero.memory;
    this.hostPorts = hostPortsOf(spec);
    this.tolerations = spec.tolerations ?? EMPTY;
    this.requiredNodes = requiredNodePredicate(spec);
    const affinity = spec.affinity ?? {};
    this.requiredAffinity = compileTerms(pod, affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
    this.requiredAntiAffinity = compileTerms(pod, affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
    this.preferredAffinity = compileWeighted(pod, affinity.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    this.preferredAntiAffinity = compileWeighted(pod, affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    this.ownerUid = controllerRefOf(pod)?.uid;
    this.startTime = Date.parse(pod.status?.startTime ?? meta.creationTimestamp ?? '') || 0;
  }

  get nodeName(): string | undefined {
    return this.pod.spec?.nodeName || undefined;
  }

  get terminating(): boolean {
    return Boolean(this.pod.metadata?.deletionTimestamp);
  }

  get hasAffinity(): boolean {
    return this.requiredAffinity.length + this.requiredAntiAffinity.length + this.preferredAffinity.length + this.preferredAntiAffinity.length > 0;
  }
}

const infos = new WeakMap<object, PodInfo>();

/** The PodInfo of a pod object, computed on first use. */
export function podInfoOf(pod: any): PodInfo {
  let info = infos.get(pod);
  if (!info) infos.set(pod, (info = new PodInfo(pod)));
  return info;
}

/** Whether `pod` is in a namespace `term` covers and has labels it selects. */
export function termMatches(term: AffinityTerm, pod: PodInfo, namespaceLabels: NamespaceLabels): boolean {
  if (!term.namespaces.has(pod.namespace)) {
    if (!term.namespaceSelector) return false;
    if (!term.namespaceSelector.matches(namespaceLabels(pod.namespace) ?? {})) return false;
  }
  return term.selector.matches(pod.labels);
}

/** Whether `pod` matches every term (false for no terms), as upstream's podMatchesAllAffinityTerms. */
export function matchesAllTerms(terms: readonly AffinityTerm[], pod: PodInfo, namespaceLabels: NamespaceLabels): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod, namespaceLabels)) return false;
  return true;
}
