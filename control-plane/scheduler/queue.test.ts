import { describe, expect, it } from 'vitest';
import { podInfoOf } from './pod-info.js';
import { eventPluginsOf, SchedulingQueue } from './queue.js';
import { makePod } from './test-fixtures.js';

function setup() {
  let now = 0;
  const events = eventPluginsOf([
    { name: 'NodeResourcesFit', events: ['NodeAdd', 'AssignedPodDelete'] },
    { name: 'InterPodAffinity', events: ['AssignedPodAdd'] },
  ]);
  const queue = new SchedulingQueue(events, { now: () => now, initialBackoffMs: 1000, maxBackoffMs: 10_000, maxUnschedulableMs: 60_000 });
  return { queue, advance: (ms: number) => (now += ms) };
}

const pod = (name: string, priority = 0) => podInfoOf(makePod(name, { priority }));
const popAll = (q: SchedulingQueue) => {
  const out: string[] = [];
  for (let qp = q.pop(); qp; qp = q.pop()) out.push(qp.pod.name);
  return out;
};

describe('SchedulingQueue', () => {
  it('pops higher priority first, then the oldest', () => {
    const { queue, advance } = setup();
    for (const [name, prio] of [['a', 0], ['b', 10], ['c', 0], ['d', 10]] as const) {
      queue.add(pod(name, prio));
      advance(1);
    }
    expect(popAll(queue)).toEqual(['b', 'd', 'a', 'c']);
  });

  it('holds a pod once; a new version replaces the old', () => {
    const { queue } = setup();
    queue.add(pod('a'));
    const newer = pod('a');
    queue.add(newer);
    const qp = queue.pop()!;
    expect(qp.pod).toBe(newer);
    expect(queue.pop()).toBeUndefined();
  });

  it('retries unschedulable pods only on events their plugins care about', () => {
    const { queue, advance } = setup();
    queue.add(pod('fit'));
    queue.add(pod('affinity'));
    const [fit, affinity] = [queue.pop()!, queue.pop()!];
    queue.unschedulable(fit, new Set(['NodeResourcesFit']));
    queue.unschedulable(affinity, new Set(['InterPodAffinity']));
    advance(2000);
    queue.onEvent('AssignedPodAdd');
    expect(popAll(queue)).toEqual(['affinity']);
    queue.onEvent('NodeUpdate');
    expect(queue.placeOf(fit.key)).toBe('unschedulable');
    queue.onEvent('NodeAdd');
    expect(popAll(queue)).toEqual(['fit']);
  });

  it('sends pods still backing off to backoffQ, which flush() empties when their time comes', () => {
    const { queue, advance } = setup();
    queue.add(pod('a'));
    const qp = queue.pop()!;
    queue.unschedulable(qp, new Set(['NodeResourcesFit']));
    advance(500);
    queue.onEvent('NodeAdd');
    expect(queue.placeOf(qp.key)).toBe('backoff');
    queue.flush();
    expect(queue.pop()).toBeUndefined();
    advance(500);
    queue.flush();
    expect(popAll(queue)).toEqual(['a']);
  });

  it('doubles the backoff per attempt up to the maximum', () => {
    const { queue, advance } = setup();
    queue.add(pod('a'));
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const qp = queue.pop()!;
      queue.retry(qp);
      let waited = 0;
      while (queue.placeOf(qp.key) !== 'active') {
        advance(500);
        waited += 500;
        queue.flush();
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('retries pods left unschedulable too long', () => {
    const { queue, advance } = setup();
    queue.add(pod('a'));
    queue.unschedulable(queue.pop()!, new Set(['NodeResourcesFit']));
    advance(59_000);
    queue.flush();
    expect(queue.pop()).toBeUndefined();
    advance(1000);
    queue.flush();
    expect(popAll(queue)).toEqual(['a']);
  });

  it('retries an unschedulable pod at once when its spec changes', () => {
    const { queue, advance } = setup();
    queue.add(pod('a'));
    queue.unschedulable(queue.pop()!, new Set(['NodeResourcesFit']));
    advance(5000);
    queue.update(pod('a'), false);
    expect(queue.placeOf('default/a')).toBe('unschedulable');
    queue.update(pod('a'), true);
    expect(popAll(queue)).toEqual(['a']);
  });

  it('forgets deleted pods, also while in flight', () => {
    const { queue } = setup();
    queue.add(pod('a'));
    queue.add(pod('b'));
    queue.delete('default/a');
    const b = queue.pop()!;
    queue.delete('default/b');
    queue.unschedulable(b, new Set());
    expect(queue.placeOf('default/b')).toBeUndefined();
    expect(queue.pop()).toBeUndefined();
  });

  it('wakes a waiting scheduler when a pod arrives', async () => {
    const { queue } = setup();
    let woke = false;
    const waiting = queue.waitForPod().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    queue.add(pod('a'));
    await waiting;
    expect(woke).toBe(true);
  });
});
