/**
 * The pods a Job creates, as upstream builds them from spec.template: the template's labels
 * (which carry the Job's selector labels), annotations and spec; the Job as controlling owner; the
 * job-tracking finalizer; for Indexed Jobs the completion index as annotation, label, env variable
 * JOB_COMPLETION_INDEX (from the annotation) and hostname `<job>-<index>`. Pure.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { newControllerRef } from '../../api/owner-references.js';
import { COMPLETION_INDEX_ANNOTATION, COMPLETION_INDEX_ENV, JOB_TRACKING_FINALIZER } from './pods.js';

/** Names generated from a prefix get 5 random characters; upstream keeps the prefix to 58. */
const MAX_GENERATE_NAME_PREFIX = 58;

function withIndexEnv(c: Container): Container {
  if ((c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV)) return c;
  return { ...c, env: [...(c.env ?? []), { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } }] };
}

/** generateName for a pod of `jobName` (with its index for Indexed Jobs), within upstream's length limit. */
export function podGenerateName(jobName: string, index?: number): string {
  const suffix = index === undefined ? '-' : `-${index}-`;
  return jobName.slice(0, MAX_GENERATE_NAME_PREFIX - suffix.length) + suffix;
}

/** A new pod of `job`; `index` for Indexed Jobs. */
export function podForJob(job: Job, index?: number): Pod {
  const template = job.spec?.template ?? { spec: { containers: [] } };
  const meta = template.metadata ?? {};
  const labels = { ...(meta.labels ?? {}) };
  const annotations = { ...(meta.annotations ?? {}) };
  const finalizers = [...(meta.finalizers ?? [])];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
  let spec = structuredClone(template.spec!);
  if (index !== undefined) {
    annotations[COMPLETION_INDEX_ANNOTATION] = String(index);
    labels[COMPLETION_INDEX_ANNOTATION] = String(index);
    spec = {
      ...spec,
      hostname: `${job.metadata!.name}-${index}`,
      containers: spec.containers.map(withIndexEnv),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(withIndexEnv) } : {}),
    };
  }
  return {
    metadata: {
      generateName: podGenerateName(job.metadata!.name!, index),
      namespace: job.metadata!.namespace,
      labels,
      annotations,
      finalizers,
      ownerReferences: [newControllerRef({ apiVersion: 'batch/v1', kind: 'Job', metadata: job.metadata })],
    },
    spec,
  };
}
