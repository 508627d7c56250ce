/**
 * Builders of Deployments and ReplicaSets for the tests of the Deployment controller's pure parts.
 * Test support only; nothing in the controller imports it.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, REVISION } from './annotations.js';
import { POD_TEMPLATE_HASH } from './hash.js';

export function template(image = 'nginx:1', labels: Record<string, string> = { app: 'web' }): PodTemplateSpec {
  return { metadata: { labels: { ...labels } }, spec: { containers: [{ name: 'web', image }] } };
}

export interface DeploymentOptions {
  replicas?: number;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  strategy?: 'RollingUpdate' | 'Recreate';
  image?: string;
  generation?: number;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  status?: Deployment['status'];
  annotations?: Record<string, string>;
}

export function deployment(o: DeploymentOptions = {}): Deployment {
  const strategy: NonNullable<Deployment['spec']>['strategy'] =
    o.strategy === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: o.generation ?? 1, annotations: o.annotations },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image),
      strategy,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      paused: o.paused,
    },
    status: o.status,
  };
}

export interface ReplicaSetOptions {
  replicas?: number;
  /** status.replicas; defaults to replicas. */
  actual?: number;
  ready?: number;
  /** status.availableReplicas; defaults to ready. */
  available?: number;
  image?: string;
  revision?: number;
  /** Creation time, seconds after an arbitrary epoch. */
  created?: number;
  /** desired-replicas / max-replicas annotations. */
  desired?: number;
  max?: number;
  generation?: number;
  observedGeneration?: number;
}

export function replicaSet(name: string, o: ReplicaSetOptions = {}): ReplicaSet {
  const replicas = o.replicas ?? 0;
  const ready = o.ready ?? replicas;
  const annotations: Record<string, string> = {};
  if (o.revision !== undefined) annotations[REVISION] = String(o.revision);
  if (o.desired !== undefined) annotations[DESIRED_REPLICAS] = String(o.desired);
  if (o.max !== undefined) annotations[MAX_REPLICAS] = String(o.max);
  const t = template(o.image ?? name);
  t.metadata!.labels![POD_TEMPLATE_HASH] = name;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      generation: o.generation ?? 1,
      creationTimestamp: new Date(Date.UTC(2024, 0, 1) + (o.created ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      annotations,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
    },
    spec: { replicas, selector: { matchLabels: { app: 'web', [POD_TEMPLATE_HASH]: name } }, template: t },
    status: { replicas: o.actual ?? replicas, readyReplicas: ready, availableReplicas: o.available ?? ready, observedGeneration: o.observedGeneration ?? o.generation ?? 1 },
  };
}
