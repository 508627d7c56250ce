import { describe, expect, it } from 'vitest';
import { summarize } from './list.js';

describe('summarize', () => {
  it('counts nodes and running nodes per cluster, sorted by name', () => {
    expect(summarize(['b\trunning', 'a\texited', 'b\trunning', 'a\trunning', ''])).toEqual([
      { name: 'a', nodes: 2, running: 1 },
      { name: 'b', nodes: 2, running: 2 },
    ]);
  });
});
