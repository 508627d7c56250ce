import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { ProbeResults, type ProbeType } from './results.js';
import { ProbeWorker } from './worker.js';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2024-05-01T10:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A worker whose exec probe answers from `outcomes` (true = exit 0), in order, then the last one forever. */
function setup(type: ProbeType, probe: Partial<Probe>, outcomes: boolean[], container: Partial<Container> = {}) {
  const results = new ProbeResults();
  const warnings: string[] = [];
  let changes = 0;
  let runs = 0;
  const runtime = {
    execSync: async () => {
      const ok = outcomes[Math.min(runs++, outcomes.length - 1)];
      return { exitCode: ok ? 0 : 1, stdout: ok ? '' : 'nope', stderr: '', timedOut: false };
    },
  } as unknown as ContainerRuntime;
  const spec: Container = { name: 'app', image: 'b', ...container };
  const worker = new ProbeWorker(type, spec, { exec: { command: ['check'] }, periodSeconds: 1, ...probe }, {
    runtime,
    results,
    onChange: () => changes++,
    warn: (m) => warnings.push(m),
    logger: pino({ level: 'silent' }),
  });
  return { worker, results, warnings, changes: () => changes, runs: () => runs };
}

const running = (startedAt = new Date()) => ({ containerId: 'c1', running: true, startedAt, podIP: '10.0.0.1' });

describe('probe worker', () => {
  it('starts readiness at failure and settles success after successThreshold', async () => {
    const s = setup('readiness', { successThreshold: 2 }, [true]);
    s.worker.update(running());
    await vi.advanceTimersByTimeAsync(0);
    expect(s.results.get('c1', 'readiness')).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.results.get('c1', 'readiness')).toBe(true);
    expect(s.changes()).toBe(1);
    s.worker.stop();
  });

  it('starts liveness at success, fails after failureThreshold with events, then holds until a new instance', async () => {
    const s = setup('liveness', { failureThreshold: 3 }, [true, false]);
    s.worker.update(running());
    await vi.advanceTimersByTimeAsync(0);
    expect(s.results.get('c1', 'liveness')).toBe(true);
    await vi.advanceTimersByTimeAsync(2000);
    expect(s.results.get('c1', 'liveness')).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.results.get('c1', 'liveness')).toBe(false);
    expect(s.results.failure('c1')).toBe('liveness');
    expect(s.warnings).toEqual(Array(3).fill('Liveness probe failed: nope'));
    const runs = s.runs();
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.runs()).toBe(runs);
    s.worker.update({ ...running(), containerId: 'c2' });
    await vi.advanceTimersByTimeAsync(0);
    expect(s.results.get('c2', 'liveness')).toBe(true);
    expect(s.results.get('c1', 'liveness')).toBeUndefined();
    expect(s.runs()).toBe(runs + 1);
    s.worker.stop();
  });

  it('waits initialDelaySeconds from the start of the instance', async () => {
    const s = setup('readiness', { initialDelaySeconds: 5 }, [true]);
    s.worker.update(running());
    await vi.advanceTimersByTimeAsync(4900);
    expect(s.runs()).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(s.runs()).toBe(1);
    s.worker.stop();
  });

  it('holds liveness and readiness until the startup probe succeeded', async () => {
    const startupProbe = { exec: { command: ['x'] } };
    const s = setup('liveness', {}, [false], { startupProbe });
    s.worker.update(running());
    await vi.advanceTimersByTimeAsync(3000);
    expect(s.runs()).toBe(0);
    s.results.set('c1', 'startup', true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.runs()).toBe(1);
    s.worker.stop();
  });

  it('stops the startup probe once it succeeded', async () => {
    const s = setup('startup', {}, [false, true]);
    s.worker.update(running());
    await vi.advanceTimersByTimeAsync(0);
    expect(s.results.get('c1', 'startup')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.results.get('c1', 'startup')).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.runs()).toBe(2);
    s.worker.stop();
  });

  it('marks a stopped instance as failing readiness', async () => {
    const s = setup('readiness', {}, [true]);
    s.worker.update(running());
    await vi.advanceTimersByTimeAsync(0);
    expect(s.results.get('c1', 'readiness')).toBe(true);
    s.worker.update({ ...running(), running: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(s.results.get('c1', 'readiness')).toBe(false);
    s.worker.stop();
  });

  it('refuses gRPC probes once, clearly', async () => {
    const s = setup('liveness', { exec: undefined, grpc: { port: 9000 } }, [true]);
    s.worker.update(running());
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.warnings).toEqual(['Liveness probe errored: grpc probes are not supported by this node']);
    expect(s.results.get('c1', 'liveness')).toBe(true);
    s.worker.stop();
  });
});
