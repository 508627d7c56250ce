import { describe, expect, it } from 'vitest';
import { Backoff, DEFAULT_BACKOFF } from './backoff.js';
import { computePodActions, type PodActions, type ProbeFailureOf } from './sync.js';
import { at, instance, observed, pod, sandbox, T0 } from './testing/fixtures.js';

const noProbes: ProbeFailureOf = () => undefined;
const fresh = () => new Backoff(DEFAULT_BACKOFF);

/** The interesting part of the actions, compactly. */
function summary(a: PodActions) {
  return {
    killPod: a.killPod,
    create: a.createSandbox?.attempt,
    kill: a.killContainers.map((k) => `${k.name}:${k.reason}`),
    start: a.start.map((s) => `${s.init ? 'init:' : ''}${s.name}#${s.attempt}`),
    backOff: a.backOff.map((b) => b.name),
  };
}

const withInits = { initContainers: [{ name: 'i1', image: 'b' }, { name: 'i2', image: 'b' }] };

describe('computePodActions', () => {
  const cases: { name: string; spec?: Parameters<typeof pod>[0]; phase?: string; sandboxes: ReturnType<typeof sandbox>[]; containers: ReturnType<typeof instance>[]; want: Partial<ReturnType<typeof summary>> }[] = [
    { name: 'a new pod gets a sandbox and its containers', sandboxes: [], containers: [], want: { killPod: true, create: 0, start: ['app#0'] } },
    { name: 'a running pod is left alone', sandboxes: [sandbox()], containers: [instance()], want: { killPod: false, create: undefined, start: [], kill: [] } },
    {
      name: 'a dead sandbox is replaced with the next attempt; containers restart with the next attempt',
      sandboxes: [sandbox({ state: 'notready' })],
      containers: [instance({ state: 'exited', exitCode: 137 })],
      want: { killPod: true, create: 1, start: ['app#1'] },
    },
    {
      name: 'a sandbox without an address is replaced',
      sandboxes: [sandbox({ podIPs: [] })],
      containers: [],
      want: { killPod: true, create: 1, start: ['app#0'] },
    },
    {
      name: 'host-network sandboxes need no address',
      spec: { hostNetwork: true },
      sandboxes: [sandbox({ podIPs: [] })],
      containers: [instance()],
      want: { killPod: false, create: undefined },
    },
    {
      name: 'restartPolicy Never: a dead sandbox of a pod that ran is not recreated',
      spec: { restartPolicy: 'Never' },
      sandboxes: [sandbox({ state: 'notready' })],
      containers: [instance({ state: 'exited', exitCode: 1 })],
      want: { killPod: true, create: undefined, start: [] },
    },
    {
      name: 'restartPolicy OnFailure: succeeded containers are not restarted with a new sandbox',
      spec: { restartPolicy: 'OnFailure' },
      sandboxes: [sandbox({ state: 'notready' })],
      containers: [instance({ state: 'exited', exitCode: 0 })],
      want: { killPod: true, create: undefined, start: [] },
    },
    { name: 'init containers: the first one starts first', spec: withInits, sandboxes: [], containers: [], want: { create: 0, start: ['init:i1#0'] } },
    {
      name: 'init containers: the next one after the previous succeeded',
      spec: withInits,
      sandboxes: [sandbox()],
      containers: [instance({ name: 'i1', state: 'exited', exitCode: 0 })],
      want: { killPod: false, start: ['init:i2#0'] },
    },
    {
      name: 'init containers: nothing while one runs',
      spec: withInits,
      sandboxes: [sandbox()],
      containers: [instance({ name: 'i1', state: 'exited' }), instance({ name: 'i2', state: 'running', created: 5 })],
      want: { killPod: false, start: [], kill: [] },
    },
    {
      name: 'init containers: all done, the app starts',
      spec: withInits,
      sandboxes: [sandbox()],
      containers: [instance({ name: 'i1', state: 'exited' }), instance({ name: 'i2', state: 'exited', created: 5 })],
      want: { start: ['app#0'] },
    },
    {
      name: 'a failed init container is retried (Always)',
      spec: withInits,
      sandboxes: [sandbox()],
      containers: [instance({ name: 'i1', state: 'exited', exitCode: 1 })],
      want: { killPod: false, start: ['init:i1#1'] },
    },
    {
      name: 'a failed init container is retried (OnFailure)',
      spec: { ...withInits, restartPolicy: 'OnFailure' },
      sandboxes: [sandbox()],
      containers: [instance({ name: 'i1', state: 'exited', exitCode: 1 })],
      want: { killPod: false, start: ['init:i1#1'] },
    },
    {
      name: 'a failed init container ends the pod (Never)',
      spec: { ...withInits, restartPolicy: 'Never' },
      sandboxes: [sandbox()],
      containers: [instance({ name: 'i1', state: 'exited', exitCode: 1 })],
      want: { killPod: true, start: [] },
    },
    {
      name: 'an OOM-killed init container counts as failed',
      spec: { ...withInits, restartPolicy: 'Never' },
      sandboxes: [sandbox()],
      containers: [instance({ name: 'i1', state: 'exited', exitCode: 137, reason: 'OOMKilled' })],
      want: { killPod: true },
    },
    {
      name: 'init containers do not run again once an app container ran',
      spec: withInits,
      sandboxes: [sandbox()],
      containers: [instance({ name: 'app', state: 'running' })],
      want: { start: [], killPod: false },
    },
    {
      name: 'Always: an exited container restarts',
      sandboxes: [sandbox()],
      containers: [instance({ state: 'exited', exitCode: 0 })],
      want: { start: ['app#1'], killPod: false },
    },
    {
      name: 'OnFailure: a succeeded container stays; the pod is done',
      spec: { restartPolicy: 'OnFailure' },
      sandboxes: [sandbox()],
      containers: [instance({ state: 'exited', exitCode: 0 })],
      want: { start: [], killPod: true },
    },
    {
      name: 'OnFailure: a failed container restarts',
      spec: { restartPolicy: 'OnFailure' },
      sandboxes: [sandbox()],
      containers: [instance({ state: 'exited', exitCode: 2 })],
      want: { start: ['app#1'], killPod: false },
    },
    {
      name: 'Never: a failed container stays; the pod is done',
      spec: { restartPolicy: 'Never' },
      sandboxes: [sandbox()],
      containers: [instance({ state: 'exited', exitCode: 2 })],
      want: { start: [], killPod: true },
    },
    {
      name: 'Never: one container done, one running: keep going',
      spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'busybox:1' }, { name: 'side', image: 'busybox:1' }] },
      sandboxes: [sandbox()],
      containers: [instance({ state: 'exited', exitCode: 0 }), instance({ name: 'side' })],
      want: { start: [], killPod: false },
    },
    {
      name: 'a changed spec restarts the container even with Never',
      spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'busybox:2' }] },
      sandboxes: [sandbox()],
      containers: [instance()],
      want: { kill: ['app:changed'], start: ['app#1'] },
    },
    {
      name: 'a container in unknown state is killed and restarted',
      sandboxes: [sandbox()],
      containers: [instance({ state: 'unknown' })],
      want: { kill: ['app:unknown'], start: ['app#1'] },
    },
    { name: 'terminal pods are only kept stopped', phase: 'Succeeded', sandboxes: [sandbox()], containers: [instance()], want: { killPod: true, start: [], create: undefined } },
  ];

  it.each(cases)('$name', ({ spec, phase, sandboxes, containers, want }) => {
    const p = pod(spec, phase ? { status: { phase } } : {});
    expect(summary(computePodActions(p, observed(sandboxes, containers), at(100), fresh(), noProbes))).toMatchObject(want);
  });

  it('kills and restarts on liveness failure, kills without restart under Never, and names the reason', () => {
    const failing: ProbeFailureOf = (id) => (id === 'app-0' ? 'liveness' : undefined);
    const always = computePodActions(pod(), observed([sandbox()], [instance()]), at(100), fresh(), failing);
    expect(always.killContainers).toEqual([{ id: 'app-0', name: 'app', reason: 'liveness', message: 'Container app failed liveness probe, will be restarted' }]);
    expect(always.start.map((s) => s.attempt)).toEqual([1]);
    const never = computePodActions(pod({ restartPolicy: 'Never' }), observed([sandbox()], [instance()]), at(100), fresh(), failing);
    expect(never.killContainers[0]!.message).toBe('Container app failed liveness probe');
    expect(never.start).toEqual([]);
    const startup = computePodActions(pod(), observed([sandbox()], [instance()]), at(100), fresh(), () => 'startup');
    expect(startup.killContainers[0]!.message).toBe('Container app failed startup probe, will be restarted');
  });

  it('keeps the pod when a probe failure belongs to an older instance', () => {
    const a = computePodActions(pod(), observed([sandbox()], [instance({ attempt: 1 })]), at(100), fresh(), (id) => (id === 'app-0' ? 'liveness' : undefined));
    expect(summary(a)).toMatchObject({ kill: [], start: [], killPod: false });
  });
});

describe('CrashLoopBackOff', () => {
  /** Simulates crashes: each one `runSeconds` after its start; the clock advances to when the pod is started again. */
  it('restarts at once the first time, then waits 10 s doubling to 5 min', () => {
    const backoff = fresh();
    const p = pod();
    const delays: number[] = [];
    let now = 0;
    const history: ReturnType<typeof instance>[] = [];
    for (let attempt = 0; attempt < 9; attempt++) {
      history.push(instance({ attempt, state: 'exited', exitCode: 1, created: now, finished: now + 1 }));
      const crashedAt = now + 1;
      let t = crashedAt;
      for (;;) {
        const a = computePodActions(p, observed([sandbox()], history), at(t), backoff, noProbes);
        if (a.start.length > 0) {
          expect(a.start[0]!.attempt).toBe(attempt + 1);
          const step = a.start[0]!.backoff!;
          backoff.next(step.key, step.since.getTime(), at(t).getTime());
          break;
        }
        expect(a.backOff[0]!.until.getTime()).toBeGreaterThan(at(t).getTime());
        t = (a.backOff[0]!.until.getTime() - T0.getTime()) / 1000;
      }
      delays.push(t - crashedAt);
      now = t;
    }
    expect(delays).toEqual([0, 10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('says why it waits, as upstream', () => {
    const backoff = fresh();
    backoff.next('uid-1/app', at(1).getTime(), at(1).getTime());
    const a = computePodActions(pod(), observed([sandbox()], [instance({ attempt: 1, state: 'exited', exitCode: 1, created: 2, finished: 3 })]), at(5), backoff, noProbes);
    expect(a.start).toEqual([]);
    expect(a.backOff).toEqual([{ name: 'app', init: false, until: at(13), delayMs: 10_000, message: 'back-off 10s restarting failed container=app pod=web_default(uid-1)' }]);
    expect(a.killPod).toBe(false);
  });

  it('starts over at 10 s after the container ran for more than 10 minutes', () => {
    const backoff = fresh();
    for (const t of [0, 20, 60, 140]) backoff.next('uid-1/app', at(t).getTime(), at(t).getTime());
    expect(backoff.get('uid-1/app')!.delayMs).toBe(80_000);
    // The last restart was at 140 s; this instance ran until 140 + 601 s.
    const a = computePodActions(pod(), observed([sandbox()], [instance({ attempt: 4, state: 'exited', exitCode: 1, created: 140, finished: 741 })]), at(742), backoff, noProbes);
    expect(a.start).toHaveLength(1);
    const step = a.start[0]!.backoff!;
    expect(backoff.next(step.key, step.since.getTime(), at(742).getTime()).delayMs).toBe(10_000);
  });

  it('applies to init containers too', () => {
    const backoff = fresh();
    backoff.next('uid-1/i1', at(0).getTime(), at(0).getTime());
    const a = computePodActions(pod(withInits), observed([sandbox()], [instance({ name: 'i1', attempt: 1, state: 'exited', exitCode: 1, created: 1, finished: 2 })]), at(4), backoff, noProbes);
    expect(a.backOff.map((b) => [b.name, b.init])).toEqual([['i1', true]]);
    expect(a.killPod).toBe(false);
  });
});
