import { describe, expect, it } from 'vitest';
import { garbage } from './gc.js';
import { instance, observed, sandbox } from './testing/fixtures.js';

describe('garbage of a pod', () => {
  it('keeps the newest two instances per container, never a running one', () => {
    const o = observed(
      [sandbox()],
      [
        instance({ attempt: 0, state: 'exited' }),
        instance({ attempt: 1, state: 'exited' }),
        instance({ attempt: 2, state: 'exited' }),
        instance({ attempt: 3 }),
        instance({ name: 'side', attempt: 0, state: 'exited' }),
      ],
    );
    expect(garbage(o).containers.map((c) => c.id)).toEqual(['app-1', 'app-0']);
  });

  it('removes stopped old sandboxes once none of the kept instances lives in them', () => {
    const old = sandbox({ id: 'sb-old', attempt: 0, state: 'notready' });
    const older = sandbox({ id: 'sb-older', attempt: 0, state: 'notready', createdAt: new Date(0) });
    const current = sandbox({ id: 'sb-new', attempt: 1 });
    const inOld = { ...instance({ attempt: 0, state: 'exited' }), sandboxId: 'sb-old' };
    const inNew = { ...instance({ attempt: 1 }), sandboxId: 'sb-new' };
    const o = { sandboxes: [current, old, older], containers: [inNew, inOld] };
    expect(garbage(o).sandboxes.map((s) => s.id)).toEqual(['sb-older']);
  });

  it('never removes the newest sandbox, ready or not', () => {
    expect(garbage(observed([sandbox({ state: 'notready' })], [])).sandboxes).toEqual([]);
  });
});
