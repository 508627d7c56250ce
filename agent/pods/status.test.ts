import type { PodStatus } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { computePodStatus, type ProbeResultsView, type StatusContext } from './status.js';
import { at, instance, observed, pod, sandbox } from './testing/fixtures.js';

const NOW = at(100);
const noProbes: ProbeResultsView = { result: () => undefined };
const ctx = (over: Partial<StatusContext> = {}): StatusContext => ({ waiting: new Map(), podIPs: ['10.244.0.5'], hostIPs: ['192.168.1.10'], terminal: false, runtimeName: 'docker', ...over });
const conditions = (s: PodStatus) => Object.fromEntries((s.conditions ?? []).map((c) => [c.type, [c.status, c.reason, c.message].filter(Boolean).join(' | ')]));

const withInits = { initContainers: [{ name: 'i1', image: 'b' }, { name: 'i2', image: 'b' }] };

describe('computePodStatus', () => {
  it('reports a new pod as Pending and ContainerCreating', () => {
    const s = computePodStatus(pod(), observed([], []), noProbes, NOW, ctx({ podIPs: [] }));
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses).toEqual([
      { name: 'app', image: 'busybox:1', imageID: '', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, started: false },
    ]);
    expect(conditions(s)).toEqual({
      PodReadyToStartContainers: 'False',
      Initialized: 'True',
      Ready: 'False | ContainersNotReady | containers with unready status: [app]',
      ContainersReady: 'False | ContainersNotReady | containers with unready status: [app]',
      PodScheduled: 'True',
    });
    expect(s.conditions!.map((c) => c.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    expect(s).toMatchObject({ hostIP: '192.168.1.10', hostIPs: [{ ip: '192.168.1.10' }], startTime: '2024-05-01T10:01:40Z', qosClass: 'BestEffort' });
    expect(s.podIP).toBeUndefined();
  });

  it('reports a running pod without probes as Running and Ready, with its addresses and container ID', () => {
    const s = computePodStatus(pod(), observed([sandbox()], [instance({ started: 3 })]), noProbes, NOW, ctx());
    expect(s.phase).toBe('Running');
    expect(s.containerStatuses![0]).toEqual({
      name: 'app',
      state: { running: { startedAt: '2024-05-01T10:00:03Z' } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: 'busybox:1',
      imageID: 'docker://sha256:abc',
      containerID: 'docker://app-0',
      started: true,
    });
    expect(Object.values(conditions(s))).toEqual(['True', 'True', 'True', 'True', 'True']);
    expect(s).toMatchObject({ podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }] });
  });

  const probeCases = [
    { name: 'readiness probe without a result yet: not ready', probe: 'readinessProbe', results: {}, ready: false, started: true },
    { name: 'readiness probe failing: not ready', probe: 'readinessProbe', results: { readiness: false }, ready: false, started: true },
    { name: 'readiness probe succeeding: ready', probe: 'readinessProbe', results: { readiness: true }, ready: true, started: true },
    { name: 'startup probe pending: neither started nor ready', probe: 'startupProbe', results: {}, ready: false, started: false },
    { name: 'startup probe succeeded: started and ready', probe: 'startupProbe', results: { startup: true }, ready: true, started: true },
  ] as const;
  it.each(probeCases)('$name', ({ probe, results, ready, started }) => {
    const p = pod({ containers: [{ name: 'app', image: 'busybox:1', [probe]: { exec: { command: ['true'] } } }] });
    const view: ProbeResultsView = { result: (_id, type) => (results as Record<string, boolean>)[type] };
    const s = computePodStatus(p, observed([sandbox()], [instance()]), view, NOW, ctx());
    expect(s.containerStatuses![0]).toMatchObject({ ready, started });
    expect(s.phase).toBe('Running');
    expect(conditions(s).Ready.startsWith(ready ? 'True' : 'False')).toBe(true);
  });

  it('shows CrashLoopBackOff waiting with the last termination', () => {
    const waiting = new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app pod=web_default(uid-1)' }]]);
    const s = computePodStatus(pod(), observed([sandbox()], [instance({ state: 'exited', exitCode: 1 }), instance({ attempt: 1, state: 'exited', exitCode: 3, created: 10, finished: 12, message: 'boom' })]), noProbes, NOW, ctx({ waiting }));
    expect(s.containerStatuses![0]).toMatchObject({
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app pod=web_default(uid-1)' } },
      lastState: { terminated: { exitCode: 3, reason: 'Error', message: 'boom', startedAt: '2024-05-01T10:00:10Z', finishedAt: '2024-05-01T10:00:12Z', containerID: 'docker://app-1' } },
      restartCount: 1,
      ready: false,
    });
    expect(s.phase).toBe('Running');
  });

  it('shows the previous instance as lastState of a running one (OOMKilled)', () => {
    const s = computePodStatus(pod(), observed([sandbox()], [instance({ state: 'exited', exitCode: 137, reason: 'OOMKilled' }), instance({ attempt: 1 })]), noProbes, NOW, ctx());
    expect(s.containerStatuses![0]).toMatchObject({ state: { running: {} }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } }, restartCount: 1, ready: true });
  });

  it('shows why a container never started (no instance yet)', () => {
    const waiting = new Map([['app', { reason: 'CreateContainerConfigError', message: 'configmap "cfg" not found' }]]);
    const s = computePodStatus(pod(), observed([sandbox()], []), noProbes, NOW, ctx({ waiting }));
    expect(s.containerStatuses![0]!.state).toEqual({ waiting: { reason: 'CreateContainerConfigError', message: 'configmap "cfg" not found' } });
    expect(s.phase).toBe('Pending');
  });

  it('keeps init containers pending until they are done', () => {
    const s = computePodStatus(pod(withInits), observed([sandbox()], [instance({ name: 'i1', state: 'exited' }), instance({ name: 'i2', created: 5 })]), noProbes, NOW, ctx());
    expect(s.phase).toBe('Pending');
    expect(s.initContainerStatuses!.map((c) => [c.name, c.ready, Object.keys(c.state!)[0]])).toEqual([['i1', true, 'terminated'], ['i2', false, 'running']]);
    expect(s.containerStatuses![0]!.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(conditions(s).Initialized).toBe('False | ContainersNotInitialized | containers with incomplete status: [i2]');
  });

  it('fails the pod when an init container fails under Never', () => {
    const s = computePodStatus(pod({ ...withInits, restartPolicy: 'Never' }), observed([sandbox({ state: 'notready' })], [instance({ name: 'i1', state: 'exited', exitCode: 1 })]), noProbes, NOW, ctx());
    expect(s.phase).toBe('Failed');
    expect(conditions(s)).toMatchObject({ Ready: 'False | PodFailed', ContainersReady: 'False | PodFailed', PodReadyToStartContainers: 'False' });
  });

  it('keeps an init container failing under Always pending, waiting in Init back-off', () => {
    const waiting = new Map([['i1', { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=i1 pod=web_default(uid-1)' }]]);
    const s = computePodStatus(pod(withInits), observed([sandbox()], [instance({ name: 'i1', state: 'exited', exitCode: 1 })]), noProbes, NOW, ctx({ waiting }));
    expect(s.phase).toBe('Pending');
    expect(s.initContainerStatuses![0]).toMatchObject({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } });
  });

  const phases = [
    { name: 'Never, all succeeded → Succeeded', policy: 'Never', exits: [0, 0], terminal: false, phase: 'Succeeded' },
    { name: 'Never, one failed → Failed', policy: 'Never', exits: [0, 1], terminal: false, phase: 'Failed' },
    { name: 'OnFailure, all succeeded → Succeeded', policy: 'OnFailure', exits: [0, 0], terminal: false, phase: 'Succeeded' },
    { name: 'OnFailure, one failed (restarting) → Running', policy: 'OnFailure', exits: [0, 1], terminal: false, phase: 'Running' },
    { name: 'Always, all exited (restarting) → Running', policy: 'Always', exits: [0, 0], terminal: false, phase: 'Running' },
    { name: 'deleted and stopped, killed by signal → Failed', policy: 'Always', exits: [137, 0], terminal: true, phase: 'Failed' },
    { name: 'deleted and stopped, all exited 0 → Succeeded', policy: 'Always', exits: [0, 0], terminal: true, phase: 'Succeeded' },
  ] as const;
  it.each(phases)('$name', ({ policy, exits, terminal, phase }) => {
    const p = pod({ restartPolicy: policy, containers: [{ name: 'a', image: 'busybox:1' }, { name: 'b', image: 'busybox:1' }] });
    const o = observed([sandbox({ state: 'notready' })], [instance({ name: 'a', state: 'exited', exitCode: exits[0] }), instance({ name: 'b', state: 'exited', exitCode: exits[1] })]);
    expect(computePodStatus(p, o, noProbes, NOW, ctx({ terminal })).phase).toBe(phase);
  });

  it('reports a completed pod as PodCompleted', () => {
    const s = computePodStatus(pod({ restartPolicy: 'Never' }), observed([sandbox({ state: 'notready' })], [instance({ state: 'exited' })]), noProbes, NOW, ctx());
    expect(conditions(s)).toMatchObject({ Initialized: 'True | PodCompleted', Ready: 'False | PodCompleted', ContainersReady: 'False | PodCompleted' });
  });

  it('never leaves a terminal phase', () => {
    const s = computePodStatus(pod(), observed([sandbox()], [instance()]), noProbes, NOW, ctx({ previous: { phase: 'Succeeded' } }));
    expect(s.phase).toBe('Succeeded');
  });

  it('keeps transition times, startTime, PodScheduled and conditions others own', () => {
    const previous: PodStatus = {
      phase: 'Running',
      startTime: '2024-05-01T10:00:00Z',
      podIPs: [{ ip: '10.244.0.9' }],
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T10:00:05Z' },
        { type: 'ContainersReady', status: 'False', lastTransitionTime: '2024-05-01T10:00:05Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-05-01T09:59:59Z' },
      ],
    };
    const p = pod({}, { status: { conditions: [{ type: 'example.com/gate', status: 'True', lastTransitionTime: '2024-05-01T09:00:00Z' }] } });
    const s = computePodStatus(p, observed([sandbox()], [instance()]), noProbes, NOW, ctx({ previous }));
    const byType = Object.fromEntries(s.conditions!.map((c) => [c.type, c.lastTransitionTime]));
    expect(byType).toEqual({
      'example.com/gate': '2024-05-01T09:00:00Z',
      PodReadyToStartContainers: '2024-05-01T10:01:40Z',
      Initialized: '2024-05-01T10:01:40Z',
      Ready: '2024-05-01T10:00:05Z',
      ContainersReady: '2024-05-01T10:01:40Z',
      PodScheduled: '2024-05-01T09:59:59Z',
    });
    expect(s.startTime).toBe('2024-05-01T10:00:00Z');
    // Addresses of a stopped sandbox stay reported.
    expect(computePodStatus(p, observed([sandbox({ state: 'notready', podIPs: [] })], []), noProbes, NOW, ctx({ previous, podIPs: [] })).podIP).toBe('10.244.0.9');
  });

  it('holds Ready back until readiness gates are True', () => {
    const spec = { readinessGates: [{ conditionType: 'example.com/lb' }] };
    const missing = computePodStatus(pod(spec), observed([sandbox()], [instance()]), noProbes, NOW, ctx());
    expect(conditions(missing).Ready).toBe('False | ReadinessGatesNotReady | corresponding condition of pod readiness gate "example.com/lb" does not exist.');
    expect(conditions(missing).ContainersReady).toBe('True');
    const ok = computePodStatus(pod(spec, { status: { conditions: [{ type: 'example.com/lb', status: 'True' }] } }), observed([sandbox()], [instance()]), noProbes, NOW, ctx());
    expect(conditions(ok).Ready).toBe('True');
  });

  it('reports a container that vanished after running as stopped with an unknown status', () => {
    const previous: PodStatus = { containerStatuses: [{ name: 'app', image: 'busybox:1', imageID: 'x', ready: true, restartCount: 2, state: { running: { startedAt: '2024-05-01T10:00:00Z' } } }] };
    const s = computePodStatus(pod(), observed([sandbox()], []), noProbes, NOW, ctx({ previous }));
    expect(s.containerStatuses![0]).toMatchObject({ restartCount: 3, lastState: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' } }, state: { waiting: { reason: 'ContainerCreating' } } });
    expect(s.phase).toBe('Running');
  });

  it('uses the host addresses for host-network pods', () => {
    const s = computePodStatus(pod({ hostNetwork: true }), observed([sandbox({ podIPs: [] })], [instance()]), noProbes, NOW, ctx({ podIPs: [] }));
    expect(s.podIP).toBe('192.168.1.10');
    expect(conditions(s).PodReadyToStartContainers).toBe('True');
  });
});
