import { describe, expect, it } from 'vitest';
import { renderProfileSummary, summarizeProfile, type CpuProfile } from './cpu-profile.js';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });

/** root → handler (dist/app.js) → parse (dist/codec.js); root → idle; root → GC. One sample per ms from t=1000 µs. */
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
    { id: 2, callFrame: frame('handler', 'file:///repo/dist/app.js'), children: [3] },
    { id: 3, callFrame: frame('parse', 'file:///repo/dist/codec.js') },
    { id: 4, callFrame: frame('(idle)') },
    { id: 5, callFrame: frame('(garbage collector)') },
  ],
  startTime: 0,
  endTime: 11_000,
  // handler, parse, parse, idle, GC, parse, idle, idle, handler, parse
  samples: [2, 3, 3, 4, 5, 3, 4, 4, 2, 3],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('summarizeProfile', () => {
  it('splits busy time into self and inclusive time per function, without idle', () => {
    const s = summarizeProfile(PROFILE, 0, 20_000);
    // The last sample has no following delta, so it counts 0 ms.
    expect(s.busyMs).toBe(6);
    expect(s.gcMs).toBe(1);
    expect(s.self).toEqual([
      ['parse dist/codec.js:1', 3],
      ['handler dist/app.js:1', 2],
      ['(garbage collector)', 1],
    ]);
    expect(s.inclusive[0]).toEqual(['handler dist/app.js:1', 5]);
    expect(s.inclusive.map(([n]) => n)).not.toContain('(root)');
  });

  it('counts only samples inside the window', () => {
    const s = summarizeProfile(PROFILE, 5000, 7000); // the GC and third parse samples
    expect(s.busyMs).toBe(2);
    expect(s.self.map(([n]) => n).sort()).toEqual(['(garbage collector)', 'parse dist/codec.js:1']);
  });

  it('renders one section per window', () => {
    const md = renderProfileSummary(PROFILE, [
      { name: 'first', fromUs: 0, toUs: 5000 },
      { name: 'second', fromUs: 5000, toUs: 11_000 },
    ]);
    expect(md).toContain('## first');
    expect(md).toContain('## second');
    expect(md).toContain('| `parse dist/codec.js:1` | 2 ms | 67 % |');
  });
});
