/**
 * The Job controller (and the TTL controller it starts) against a real API server, with a fake
 * kubelet running the pods: parallelism is honoured, failures stop at backoffLimit, the active
 * deadline fails a Job, Indexed Jobs complete every index, deleted pods are counted once and
 * replaced, finished Jobs are deleted after their TTL (with the garbage collector removing pods).
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageResource } from '../../api/registry.js';
import { isNotFound } from '../../client/api-client.js';
import type { ControllerHandle } from '../../client/controller.js';
import { Informer } from '../../client/informer.js';
import { waitFor } from '../../../e2e/harness/wait.js';
import { startGarbageCollector } from '../gc/controller.js';
import { startJobController } from './controller.js';
import { FakeKubelet, startTestCluster, type Outcome, type TestCluster } from './test-cluster.test-util.js';

const jobsDef = storageResource('batch/jobs');
const podsDef = storageResource('core/pods');
const OUTCOME = 'test.tugboat.io/outcome';

let cluster: TestCluster;
let kubelet: FakeKubelet;
const controllers: ControllerHandle[] = [];

function jobManifest(name: string, outcome: Outcome, spec: Record<string, unknown>): Job {
  return {
    metadata: { name },
    spec: {
      template: {
        metadata: { labels: { [OUTCOME]: outcome } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'tugboat/busybox:test', command: ['sh', '-c', 'exit 0'] }] },
      },
      ...spec,
    },
  } as Job;
}

async function getJob(name: string): Promise<Job> {
  return cluster.client.get<Job>(jobsDef, 'default', name);
}

async function waitForCondition(name: string, type: string, timeoutMs = 30_000): Promise<Job> {
  let job: Job | undefined;
  await waitFor(
    async () => {
      job = await getJob(name);
      return (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
    },
    `job ${name} ${type}`,
    timeoutMs,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}; status: ${JSON.stringify(job?.status)}`);
  });
  return job!;
}

async function jobPods(name: string): Promise<Pod[]> {
  return (await cluster.client.list<Pod>(podsDef, 'default', { labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
}

beforeAll(async () => {
  cluster = await startTestCluster();
  kubelet = new FakeKubelet(cluster.client, {
    handles: (p) => !!p.metadata?.labels?.[OUTCOME],
    outcome: (p) => p.metadata!.labels![OUTCOME] as Outcome,
    runMs: 300,
  });
  await kubelet.start();
  controllers.push(startJobController(cluster.ctx, { podFailureBackoffMs: 100, maxPodFailureBackoffMs: 400 }), startGarbageCollector(cluster.ctx));
  await cluster.startInformers();
}, 120_000);

afterAll(async () => {
  await Promise.all(controllers.map((c) => c.stop()));
  kubelet?.stop();
  await cluster?.stop();
}, 60_000);

describe('job controller', () => {
  it('completions 5 / parallelism 2 completes with never more than 2 pods active', async () => {
    const active = new Map<string, boolean>();
    let maxActive = 0;
    const watcher = new Informer<Pod & { metadata: any }>(cluster.client, podsDef, pino({ level: 'silent' }), { labelSelector: 'batch.kubernetes.io/job-name=five' });
    const note = (p: Pod) => {
      active.set(p.metadata!.uid!, !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
      maxActive = Math.max(maxActive, [...active.values()].filter(Boolean).length);
    };
    watcher.addHandlers({ onAdd: note, onUpdate: (_o, p) => note(p), onDelete: (p) => active.delete(p.metadata!.uid!) });
    watcher.start();
    await watcher.waitForSync();
    try {
      await cluster.client.create(jobsDef, 'default', jobManifest('five', 'Succeeded', { completions: 5, parallelism: 2 }));
      const job = await waitForCondition('five', 'Complete');
      expect(maxActive).toBe(2);
      expect(job.status).toMatchObject({ succeeded: 5, failed: 0, active: 0, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
      expect(job.status!.startTime).toBeDefined();
      expect(job.status!.completionTime).toBeDefined();
      expect(job.status!.conditions!.map((c) => `${c.type}/${c.reason}`)).toEqual(['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached']);
      const pods = await jobPods('five');
      expect(pods).toHaveLength(5);
      for (const p of pods) {
        expect(p.metadata!.finalizers ?? []).not.toContain('batch.kubernetes.io/job-tracking');
        expect(p.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Job', name: 'five', controller: true, blockOwnerDeletion: true })]);
      }
      await waitFor(async () => (await cluster.events('default', 'five')).some((e) => e.reason === 'Completed'), 'Completed event');
      const events = await cluster.events('default', 'five');
      expect(events.filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(5);
      expect(events.find((e) => e.reason === 'SuccessfulCreate')!.message).toMatch(/^Created pod: five-[a-z0-9]{5}$/);
      expect(events.find((e) => e.reason === 'Completed')!.message).toBe('Job completed');
    } finally {
      watcher.stop();
    }
  });

  it('a failing Job stops at backoffLimit with Failed/BackoffLimitExceeded', async () => {
    await cluster.client.create(jobsDef, 'default', jobManifest('doomed', 'Failed', { backoffLimit: 2 }));
    const job = await waitForCondition('doomed', 'Failed');
    expect(job.status).toMatchObject({ failed: 3, succeeded: 0, active: 0 });
    expect(job.status!.conditions!.map((c) => `${c.type}/${c.reason}`)).toEqual(['FailureTarget/BackoffLimitExceeded', 'Failed/BackoffLimitExceeded']);
    expect(job.status!.conditions!.find((c) => c.type === 'Failed')!.message).toBe('Job has reached the specified backoff limit');
    expect(job.status!.completionTime).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await jobPods('doomed')).toHaveLength(3);
    await waitFor(async () => (await cluster.events('default', 'doomed')).some((e) => e.reason === 'BackoffLimitExceeded'), 'BackoffLimitExceeded event');
  });

  it('activeDeadlineSeconds fails the Job with DeadlineExceeded and deletes its pods', async () => {
    await cluster.client.create(jobsDef, 'default', jobManifest('slow', 'Running', { activeDeadlineSeconds: 2, parallelism: 2, completions: 4 }));
    await waitFor(async () => (await jobPods('slow')).length === 2, 'two pods');
    const job = await waitForCondition('slow', 'Failed');
    expect(job.status!.conditions!.find((c) => c.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(job.status).toMatchObject({ failed: 2, active: 0, terminating: 0 });
    await waitFor(async () => (await jobPods('slow')).length === 0, 'pods gone');
  });

  it('an Indexed Job runs every index once with its index in annotation, label, env and hostname', async () => {
    await cluster.client.create(jobsDef, 'default', jobManifest('indexed', 'Succeeded', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const job = await waitForCondition('indexed', 'Complete');
    expect(job.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
    const pods = await jobPods('indexed');
    expect(pods.map((p) => p.metadata!.annotations!['batch.kubernetes.io/job-completion-index']).sort()).toEqual(['0', '1', '2']);
    for (const p of pods) {
      const ix = p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'];
      expect(p.metadata!.labels!['batch.kubernetes.io/job-completion-index']).toBe(ix);
      expect(p.metadata!.name).toMatch(new RegExp(`^indexed-${ix}-[a-z0-9]{5}$`));
      expect(p.spec!.hostname).toBe(`indexed-${ix}`);
      expect(p.spec!.containers[0]!.env).toContainEqual(expect.objectContaining({ name: 'JOB_COMPLETION_INDEX' }));
    }
  });

  it('a deleted running pod is counted as failed once and replaced', async () => {
    await cluster.client.create(jobsDef, 'default', jobManifest('replace', 'Running', { completions: 1, parallelism: 1 }));
    let first: Pod | undefined;
    await waitFor(async () => {
      first = (await jobPods('replace')).find((p) => p.status?.phase === 'Running');
      return !!first;
    }, 'first pod running');
    await cluster.client.delete(podsDef, 'default', first!.metadata!.name!);
    await waitFor(async () => {
      const pods = await jobPods('replace');
      return pods.length === 1 && pods[0]!.metadata!.uid !== first!.metadata!.uid;
    }, 'replacement only');
    await waitFor(async () => (await getJob('replace')).status?.failed === 1, 'failed counted');
    await new Promise((r) => setTimeout(r, 500));
    expect((await getJob('replace')).status).toMatchObject({ failed: 1, active: 1, uncountedTerminatedPods: {} });
    await cluster.client.delete(jobsDef, 'default', 'replace', { propagationPolicy: 'Background' });
    await waitFor(async () => (await jobPods('replace')).length === 0, 'pods of a deleted Job are released and collected');
  });

  it('ttlSecondsAfterFinished deletes the finished Job and its pods', async () => {
    await cluster.client.create(jobsDef, 'default', jobManifest('short-lived', 'Succeeded', { ttlSecondsAfterFinished: 1 }));
    await waitForCondition('short-lived', 'Complete');
    await waitFor(
      async () => {
        try {
          await getJob('short-lived');
          return false;
        } catch (err) {
          if (isNotFound(err)) return true;
          throw err;
        }
      },
      'job deleted',
      20_000,
    );
    await waitFor(async () => (await jobPods('short-lived')).length === 0, 'pods deleted');
  });
});
