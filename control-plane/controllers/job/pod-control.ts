/**
 * The Job controller's writes to pods, as upstream's PodControl and ControllerRefManager: claiming
 * (adopting orphans that match the selector, with the tracking finalizer), creating pods in
 * slow-start batches, deleting pods, and removing the tracking finalizer. Creations and deletions
 * are recorded as expectations before they are sent, and given back when they fail, so that the
 * next sync waits for the cache to see them. Events SuccessfulCreate / SuccessfulDelete /
 * FailedCreate are recorded on the Job.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import { controllerRefOf, newControllerRef } from '../../api/owner-references.js';
import { storageResource } from '../../api/registry.js';
import { isNotFound, type ApiClient } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import { isPodReady } from '../shared/pod-readiness.js';
import type { Expectations } from './expectations.js';
import { podForJob } from './pod-template.js';
import { hasTrackingFinalizer, JOB_TRACKING_FINALIZER } from './pods.js';

const podsDef = storageResource('core/pods');
/** Pods indexed by owner uid and by namespace (informer index names). */
export const OWNER_INDEX = 'ownerUid';
export const NAMESPACE_INDEX = 'namespace';

export type PodObj = Pod & { metadata: ObjectMeta };

/** What the pod writes need: the client, the pod cache, the Job's event recorder and expectations. */
export interface PodControl {
  client: ApiClient;
  pods: Informer<PodObj>;
  recorder: EventRecorder;
  expectations: Expectations;
}

export const asJob = (job: Job) => ({ ...job, apiVersion: 'batch/v1' as const, kind: 'Job' as const, metadata: job.metadata ?? {} });

/** Removes the tracking finalizer; a pod already gone counts as done. */
export async function removeTrackingFinalizer(client: ApiClient, pod: Pod): Promise<void> {
  try {
    await client.patch(podsDef, pod.metadata!.namespace, pod.metadata!.name!, 'strategic', {
      metadata: { uid: pod.metadata!.uid, '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** The Job's pods: those it controls, plus orphans matching its selector, which it adopts. */
export async function claimPods(s: PodControl, job: Job): Promise<Pod[]> {
  const uid = job.metadata!.uid!;
  const owned = s.pods.byIndex(OWNER_INDEX, uid).filter((p) => controllerRefOf(p)?.uid === uid);
  if (job.metadata?.deletionTimestamp) return owned;
  let selector;
  try {
    selector = selectorFromLabelSelector(job.spec?.selector as any);
  } catch {
    return owned;
  }
  const orphans = s.pods.byIndex(NAMESPACE_INDEX, job.metadata!.namespace!).filter((p) => !controllerRefOf(p) && !p.metadata?.deletionTimestamp && selector.matches(p.metadata?.labels));
  for (const pod of orphans) {
    try {
      await s.client.patch(podsDef, pod.metadata!.namespace, pod.metadata!.name!, 'strategic', {
        metadata: { uid: pod.metadata!.uid, ownerReferences: [newControllerRef(asJob(job))], finalizers: [JOB_TRACKING_FINALIZER] },
      });
      const finalizers = pod.metadata?.finalizers ?? [];
      owned.push({ ...pod, metadata: { ...pod.metadata, finalizers: hasTrackingFinalizer(pod) ? finalizers : [...finalizers, JOB_TRACKING_FINALIZER] } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return owned;
}

/** Creates pods in slow-start batches (1, 2, 4, …); stops at the first failing batch. Returns how many were created. */
export async function createPods(s: PodControl, key: string, job: Job, count: number, indexes: number[] | undefined): Promise<number> {
  s.expectations.expect(key, count, 0);
  let created = 0;
  let firstError: unknown;
  for (let batch = 1, done = 0; done < count; done += batch, batch = Math.min(batch * 2, count - done)) {
    const size = Math.min(batch, count - done);
    const results = await Promise.allSettled(
      Array.from({ length: size }, (_, i) => s.client.create<Pod>(podsDef, job.metadata!.namespace, podForJob(job, indexes?.[done + i]))),
    );
    for (const r of results) {
      if (r.status === 'fulfilled') {
        created++;
        s.recorder.event(asJob(job), 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata!.name}`);
      } else {
        s.expectations.creationObserved(key);
        firstError ??= r.reason;
        s.recorder.event(asJob(job), 'Warning', 'FailedCreate', `Error creating: ${(r.reason as Error).message}`);
      }
    }
    if (firstError) {
      for (let i = done + size; i < count; i++) s.expectations.creationObserved(key);
      throw firstError;
    }
  }
  return created;
}

/** Deletes active pods (their finalizers stay: they are counted as failed first). Returns how many and how many were ready. */
export async function deletePods(s: PodControl, key: string, job: Job, pods: Pod[]): Promise<{ deleted: number; ready: number }> {
  s.expectations.expect(key, 0, pods.length);
  let deleted = 0;
  let ready = 0;
  let firstError: unknown;
  await Promise.all(
    pods.map(async (pod) => {
      try {
        await s.client.delete(podsDef, pod.metadata!.namespace, pod.metadata!.name!, { preconditions: { uid: pod.metadata!.uid } });
        s.recorder.event(asJob(job), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata!.name}`);
      } catch (err) {
        if (!isNotFound(err)) {
          s.expectations.deletionObserved(key);
          firstError ??= err;
          return;
        }
      }
      deleted++;
      if (isPodReady(pod)) ready++;
    }),
  );
  if (firstError) throw firstError;
  return { deleted, ready };
}
