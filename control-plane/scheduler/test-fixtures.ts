/**
 * Builders of Node and Pod objects and of a cluster view for the scheduler's unit tests.
 */
import { SchedulerCache } from './cache.js';
import { CycleState, type ClusterView, type FilterPlugin, type ScorePlugin } from './framework.js';
import type { NodeInfo } from './node-info.js';
import { Nominator } from './nominator.js';
import { podInfoOf, type PodInfo } from './pod-info.js';
import type { Rejection } from './fit-error.js';

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
  /** More allocatable resources, e.g. `{ 'nvidia.com/gpu': '2' }`. */
  extra?: Record<string, string>;
}

/** A Ready node with allocatable cpu 4, memory 8Gi and 110 pods unless told otherwise; labelled with its hostname. */
export function makeNode(name: string, spec: NodeSpec = {}): any {
  const allocatable = { cpu: spec.cpu ?? '4', memory: spec.memory ?? '8Gi', pods: String(spec.pods ?? 110), ...spec.extra };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name, ...spec.labels } },
    spec: { ...(spec.taints ? { taints: spec.taints } : {}), ...(spec.unschedulable ? { unschedulable: true } : {}) },
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export interface PodSpecOptions {
  namespace?: string;
  uid?: string;
  cpu?: string;
  memory?: string;
  /** More container requests, e.g. `{ 'nvidia.com/gpu': '1' }`. */
  requests?: Record<string, string>;
  labels?: Record<string, string>;
  priority?: number;
  nodeName?: string;
  /** The controller owning the pod (ownerReferences with controller: true). */
  owner?: string;
  deleting?: boolean;
  /** Merged into spec (affinity, tolerations, nodeSelector, topologySpreadConstraints, …). */
  spec?: Record<string, unknown>;
  /** Host ports of the container: `[{ hostPort: 80 }]`. */
  ports?: Record<string, unknown>[];
}

let counter = 0;

export function makePod(name: string, o: PodSpecOptions = {}): any {
  const requests = { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}), ...o.requests };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: o.uid ?? `uid-${name}-${++counter}`,
      labels: o.labels ?? {},
      creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, counter)).toISOString(),
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: o.owner, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: { requests }, ...(o.ports ? { ports: o.ports } : {}) }],
      priority: o.priority ?? 0,
      schedulerName: 'default-scheduler',
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...o.spec,
    },
    status: { phase: o.nodeName ? 'Running' : 'Pending' },
  };
}

/** A cluster view of these nodes with these (bound) pods on them. */
export function clusterOf(nodes: any[], pods: any[] = [], namespaceLabels: Record<string, Record<string, string>> = {}, nominator = new Nominator()): SchedulerCache {
  const cache = new SchedulerCache((ns) => namespaceLabels[ns], nominator);
  for (const n of nodes) cache.setNode(n);
  for (const p of pods) cache.setPod(podInfoOf(p), p.spec.nodeName);
  return cache;
}

/** Runs one filter plugin for `pod` against every node of `cluster`: node name → reasons (undefined: fits). */
export function filterAll(plugin: FilterPlugin, pod: any, cluster: ClusterView): Record<string, Rejection | undefined> {
  const info: PodInfo = podInfoOf(pod);
  const state = new CycleState();
  const active = plugin.preFilter ? plugin.preFilter(info, cluster, state) : true;
  const out: Record<string, Rejection | undefined> = {};
  for (const node of cluster.nodes) out[node.name] = active ? plugin.filter(info, node as NodeInfo, state) : undefined;
  return out;
}

/** Runs one score plugin (preScore, score, normalize) for `pod` over every node of `cluster`: node name → score, or undefined when it skips. */
export function scoreAll(plugin: ScorePlugin, pod: any, cluster: ClusterView): Record<string, number> | undefined {
  const info = podInfoOf(pod);
  const state = new CycleState();
  const nodes = cluster.nodes;
  if (plugin.preScore && !plugin.preScore(info, nodes, cluster, state)) return undefined;
  const scores = nodes.map((n) => plugin.score(info, n, state));
  plugin.normalize?.(scores, nodes, state);
  return Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]!]));
}
