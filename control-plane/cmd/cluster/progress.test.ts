import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

describe('createProgress', () => {
  it('writes a start and an end line with the duration, and passes results and errors through', async () => {
    let out = '';
    let clock = 0;
    const p = createProgress({ write: (s: string) => (out += s) }, () => clock);
    expect(await p.step('Doing', async () => ((clock += 1500), 7))).toBe(7);
    p.note('detail');
    await expect(p.step('Failing', async () => ((clock += 200), Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
    expect(out).toBe(' • Doing …\n ✓ Doing (1.5 s)\n   detail\n • Failing …\n ✗ Failing (failed after 0.2 s)\n');
  });
});
