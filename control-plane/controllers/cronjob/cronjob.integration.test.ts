/**
 * The CronJob controller against a real API server, on a fake clock the test moves a minute at a
 * time, with the Job controller and a fake kubelet running the Jobs: Jobs start on schedule with
 * their deterministic names and annotation, history limits trim finished Jobs, Forbid skips and
 * Replace replaces a running Job, a suspended CronJob starts nothing, and a Job made `--from=cronjob/...` runs.
 */
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageResource } from '../../api/registry.js';
import type { ControllerHandle } from '../../client/controller.js';
import { waitFor } from '../../../e2e/harness/wait.js';
import { startGarbageCollector } from '../gc/controller.js';
import { startJobController } from '../job/controller.js';
import { FakeKubelet, startTestCluster, type Outcome, type TestCluster } from '../job/test-cluster.test-util.js';
import { startCronJobController } from './controller.js';

const cronJobsDef = storageResource('batch/cronjobs');
const jobsDef = storageResource('batch/jobs');
const OUTCOME = 'test.tugboat.io/outcome';

let cluster: TestCluster;
let kubelet: FakeKubelet;
const controllers: ControllerHandle[] = [];
let fakeNow = Date.now();

function cronManifest(name: string, outcome: Outcome, spec: Record<string, unknown> = {}): CronJob {
  return {
    metadata: { name },
    spec: {
      schedule: '* * * * *',
      jobTemplate: {
        metadata: { labels: { cron: name } },
        spec: {
          template: {
            metadata: { labels: { [OUTCOME]: outcome } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'tugboat/busybox:test', command: ['sh', '-c', 'date'] }] },
          },
        },
      },
      ...spec,
    },
  } as CronJob;
}

/** Creates the CronJob and returns a function that sets the fake clock to `n` minutes after its creation minute (plus a second). */
async function create(cj: CronJob): Promise<(n: number) => void> {
  // Before the CronJob exists: nothing is due before its creation time.
  fakeNow = Date.now() - 1000;
  const created = await cluster.client.create<CronJob>(cronJobsDef, 'default', cj);
  const minute = Math.floor(Date.parse(created.metadata!.creationTimestamp!) / 60_000) * 60_000;
  return (n) => {
    fakeNow = minute + n * 60_000 + 1000;
  };
}

async function jobsOf(name: string): Promise<Job[]> {
  return (await cluster.client.list<Job>(jobsDef, 'default', { labelSelector: `cron=${name}` })).items.filter((j) => !j.metadata?.deletionTimestamp);
}

async function getCronJob(name: string): Promise<CronJob> {
  return cluster.client.get<CronJob>(cronJobsDef, 'default', name);
}

const finished = (j: Job) => (j.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

beforeAll(async () => {
  cluster = await startTestCluster();
  kubelet = new FakeKubelet(cluster.client, { handles: (p) => !!p.metadata?.labels?.[OUTCOME], outcome: (p) => p.metadata!.labels![OUTCOME] as Outcome, runMs: 100 });
  await kubelet.start();
  controllers.push(
    startJobController(cluster.ctx, { podFailureBackoffMs: 100 }),
    startGarbageCollector(cluster.ctx),
    startCronJobController(cluster.ctx, { now: () => new Date(fakeNow), maxWaitMs: 100, defaultTimeZone: 'UTC' }),
  );
  await cluster.startInformers();
}, 120_000);

afterAll(async () => {
  await Promise.all(controllers.map((c) => c.stop()));
  kubelet?.stop();
  await cluster?.stop();
}, 60_000);

describe('cronjob controller', () => {
  it('starts a Job each scheduled minute and keeps successfulJobsHistoryLimit of them', async () => {
    const at = await create(cronManifest('tick', 'Succeeded', { successfulJobsHistoryLimit: 2 }));
    await new Promise((r) => setTimeout(r, 500));
    expect(await jobsOf('tick')).toHaveLength(0);
    const names: string[] = [];
    for (let n = 1; n <= 4; n++) {
      at(n);
      const expected = `tick-${Math.floor(fakeNow / 60_000)}`;
      names.push(expected);
      await waitFor(async () => (await jobsOf('tick')).some((j) => j.metadata!.name === expected && finished(j)), `${expected} complete`);
    }
    await waitFor(async () => (await jobsOf('tick')).length === 2, 'history trimmed to 2');
    expect((await jobsOf('tick')).map((j) => j.metadata!.name).sort()).toEqual(names.slice(2).sort());
    const [job] = await jobsOf('tick');
    const scheduled = Number(job!.metadata!.name!.split('-')[1]) * 60_000;
    expect(job!.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(new Date(scheduled).toISOString().replace('.000', ''));
    expect(job!.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'CronJob', name: 'tick', controller: true })]);
    await waitFor(async () => ((await getCronJob('tick')).status?.active ?? []).length === 0, 'no active jobs');
    const cj = await getCronJob('tick');
    expect(cj.status!.lastScheduleTime).toBe(new Date(Math.floor(fakeNow / 60_000) * 60_000).toISOString().replace('.000', ''));
    expect(cj.status!.lastSuccessfulTime).toBeDefined();
    const events = await cluster.events('default', 'tick');
    expect(events).toEqual(
      expect.arrayContaining([
        { reason: 'SuccessfulCreate', message: `Created job ${names[0]}` },
        { reason: 'SawCompletedJob', message: `Saw completed job: ${names[0]}, status: Complete` },
        { reason: 'SuccessfulDelete', message: `Deleted job ${names[0]}` },
      ]),
    );
  });

  it('Forbid starts nothing while a Job runs', async () => {
    const at = await create(cronManifest('forbid', 'Running', { concurrencyPolicy: 'Forbid' }));
    at(1);
    await waitFor(async () => ((await getCronJob('forbid')).status?.active ?? []).length === 1, 'one active');
    at(2);
    await waitFor(async () => (await cluster.events('default', 'forbid')).some((e) => e.reason === 'JobAlreadyActive'), 'JobAlreadyActive');
    expect(await jobsOf('forbid')).toHaveLength(1);
  });

  it('Replace deletes the running Job and starts the next', async () => {
    const at = await create(cronManifest('replace', 'Running', { concurrencyPolicy: 'Replace' }));
    at(1);
    await waitFor(async () => ((await getCronJob('replace')).status?.active ?? []).length === 1, 'first job active');
    const [first] = await jobsOf('replace');
    at(2);
    await waitFor(async () => {
      const jobs = await jobsOf('replace');
      return jobs.length === 1 && jobs[0]!.metadata!.name !== first!.metadata!.name;
    }, 'second job replaces the first');
    const cj = await getCronJob('replace');
    expect(cj.status!.active!.map((r) => r.name)).toEqual([`replace-${Math.floor(fakeNow / 60_000)}`]);
  });

  it('a suspended CronJob starts nothing', async () => {
    const at = await create(cronManifest('paused', 'Succeeded', { suspend: true }));
    at(1);
    await new Promise((r) => setTimeout(r, 800));
    expect(await jobsOf('paused')).toHaveLength(0);
  });

  it('a Job made from the template (as kubectl create job --from=cronjob/... does) runs and is not taken for a scheduled one', async () => {
    // The Job kubectl 1.33 builds client-side (e2e/kubectl-create.test.ts runs the real command), sent here as JSON.
    const cj = await getCronJob('tick');
    const template = cj.spec!.jobTemplate;
    await cluster.client.create(jobsDef, 'default', {
      metadata: {
        name: 'manual-run',
        annotations: { ...(template.metadata?.annotations ?? {}), 'cronjob.kubernetes.io/instantiate': 'manual' },
        labels: template.metadata?.labels,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: cj.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: template.spec,
    });
    await waitFor(async () => finished(await cluster.client.get<Job>(jobsDef, 'default', 'manual-run')), 'manual job complete');
    const after = await getCronJob('tick');
    expect(after.status!.lastScheduleTime).toBe(cj.status!.lastScheduleTime);
    expect((after.status!.active ?? []).map((r) => r.name)).not.toContain('manual-run');
  });
});
