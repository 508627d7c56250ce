import { describe, expect, it } from 'vitest';
import { Cleanup } from './cleanup.js';

describe('Cleanup', () => {
  it('runs actions once, newest first, and reports failures without stopping', async () => {
    const done: string[] = [];
    const reports: string[] = [];
    const c = new Cleanup((m) => reports.push(m));
    c.add('first', async () => void done.push('first'));
    c.add('broken', async () => {
      throw new Error('boom');
    });
    c.add('last', async () => void done.push('last'));
    await Promise.all([c.run(), c.run()]);
    await c.run();
    expect(done).toEqual(['last', 'first']);
    expect(reports).toEqual(['cleanup "broken" failed: boom']);
  });
});
