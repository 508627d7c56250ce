import { describe, expect, it } from 'vitest';
import { ControllerExpectations } from './replicaset-expectations.js';
import { slowStartBatch } from './replicaset-slow-start.js';

describe('ControllerExpectations', () => {
  it('a key never recorded is satisfied', () => {
    expect(new ControllerExpectations().satisfied('ns/rs')).toBe(true);
  });

  it('waits for every expected creation', () => {
    const e = new ControllerExpectations();
    e.expectCreations('ns/rs', 2);
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('counts each awaited deletion once, whether seen terminating or deleted', () => {
    const e = new ControllerExpectations();
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/other');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.deletionObserved('ns/rs', 'ns/b');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('expires, so a lost event cannot wedge the controller', () => {
    let now = 0;
    const e = new ControllerExpectations(() => now, 1000);
    e.expectCreations('ns/rs', 1);
    now = 999;
    expect(e.satisfied('ns/rs')).toBe(false);
    now = 1001;
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('forgets deleted keys', () => {
    const e = new ControllerExpectations();
    e.expectCreations('ns/rs', 1);
    e.delete('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
  });
});

describe('slowStartBatch', () => {
  it.each([
    // [calls, first failing call (0: none), cumulative calls after each batch, successes]
    [0, 0, [], 0],
    [1, 0, [1], 1],
    [10, 0, [1, 3, 7, 10], 10],
    [10, 2, [1, 3], 1],
    [10, 5, [1, 3, 7], 4],
  ])('%i calls, failing from call %i: batches end at %j', async (count, failFrom, cumulative, succeeded) => {
    let started = 0;
    const batchEnds = new Set<number>();
    const result = await slowStartBatch(count, 1, async () => {
      const n = ++started;
      await Promise.resolve();
      // Calls of one batch start together, so each sees the batch's last call number here.
      batchEnds.add(started);
      if (failFrom && n >= failFrom) throw new Error(`call ${n} failed`);
    });
    expect([...batchEnds]).toEqual(cumulative);
    expect(result.succeeded).toBe(succeeded);
    expect(result.error !== undefined).toBe(failFrom > 0);
  });
});
