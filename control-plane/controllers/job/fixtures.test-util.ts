/** Test fixtures: Jobs and their pods in the states the Job controller distinguishes. */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { COMPLETION_INDEX_ANNOTATION, JOB_TRACKING_FINALIZER } from './pods.js';

export interface PodShape {
  uid?: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** Carries the tracking finalizer (default true). */
  tracked?: boolean;
  deleting?: boolean;
  ready?: boolean;
  index?: number;
  restarts?: number;
  nodeName?: string;
  created?: string;
  finishedAt?: string;
}

let seq = 0;

export function pod(shape: PodShape = {}): Pod {
  const uid = shape.uid ?? `uid-${++seq}`;
  return {
    metadata: {
      name: `p-${uid}`,
      namespace: 'default',
      uid,
      creationTimestamp: shape.created ?? '2024-01-01T00:00:00Z',
      finalizers: shape.tracked === false ? [] : [JOB_TRACKING_FINALIZER],
      ...(shape.deleting ? { deletionTimestamp: '2024-01-01T00:10:00Z' } : {}),
      ...(shape.index !== undefined ? { annotations: { [COMPLETION_INDEX_ANNOTATION]: String(shape.index) } } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(shape.nodeName ? { nodeName: shape.nodeName } : {}) },
    status: {
      phase: shape.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: shape.ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'c',
          image: 'busybox',
          imageID: '',
          ready: !!shape.ready,
          restartCount: shape.restarts ?? 0,
          ...(shape.finishedAt ? { state: { terminated: { exitCode: 0, finishedAt: shape.finishedAt } } } : {}),
        },
      ],
    },
  };
}

export function job(spec: Partial<NonNullable<Job['spec']>> = {}, status: Job['status'] = {}): Job {
  return {
    metadata: { name: 'pi', namespace: 'default', uid: 'job-uid' },
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      podReplacementPolicy: 'TerminatingOrFailed',
      template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } }, spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } },
      ...spec,
    } as Job['spec'],
    status,
  };
}
