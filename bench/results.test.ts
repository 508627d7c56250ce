import { describe, expect, it } from 'vitest';
import { markdownTable, mib, ms, perSecond, ratio, runHeader, upsertSection } from './results.js';

describe('upsertSection', () => {
  const doc = '# Benchmark results\n\nintro\n\n## A\n\nold a\n\n## B\n\nold b\n';

  it('starts a new file with the header and the section', () => {
    const out = upsertSection('', 'A', 'body');
    expect(out.startsWith('# Benchmark results\n')).toBe(true);
    expect(out.endsWith('## A\n\nbody\n')).toBe(true);
  });

  it.each([
    { title: 'A', want: '# Benchmark results\n\nintro\n\n## A\n\nnew\n\n## B\n\nold b\n' },
    { title: 'B', want: '# Benchmark results\n\nintro\n\n## A\n\nold a\n\n## B\n\nnew\n' },
    { title: 'C', want: '# Benchmark results\n\nintro\n\n## A\n\nold a\n\n## B\n\nold b\n\n## C\n\nnew\n' },
  ])('replaces or appends section $title and keeps the others', ({ title, want }) => {
    expect(upsertSection(doc, title, 'new')).toBe(want);
  });

  it('matches the whole heading, so a longer title is another section', () => {
    const withNotes = '# R\n\n## A\n\nold a\n\n## A: notes\n\nhand-written\n';
    expect(upsertSection(withNotes, 'A', 'new')).toBe('# R\n\n## A\n\nnew\n\n## A: notes\n\nhand-written\n');
  });

  it('keeps ### subsections inside the replaced body', () => {
    const out = upsertSection(upsertSection(doc, 'A', 'x\n\n### sub\n\ny'), 'A', 'z');
    expect(out).toBe('# Benchmark results\n\nintro\n\n## A\n\nz\n\n## B\n\nold b\n');
  });
});

describe('cells', () => {
  it.each([
    { value: 1.234, want: '1.23 ms' },
    { value: 15.26, want: '15.3 ms' },
    { value: 2743.6, want: '2744 ms' },
    { value: NaN, want: '—' },
  ])('ms($value) = $want', ({ value, want }) => expect(ms(value)).toBe(want));

  it.each([
    { value: 844.4, unit: '', want: '844/s' },
    { value: 0.4237, unit: '', want: '0.42/s' },
    { value: 5004, unit: 'events', want: '5004 events/s' },
  ])('perSecond($value) = $want', ({ value, unit, want }) => expect(perSecond(value, unit)).toBe(want));

  it('formats MiB and ratios', () => {
    expect(mib(150 * 2 ** 20)).toBe('150.0 MiB');
    expect(ratio(10, 4)).toBe('2.5×');
    expect(ratio(1, 0)).toBe('—');
  });

  it('renders a markdown table', () => {
    expect(markdownTable(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
});

describe('runHeader', () => {
  const meta = { command: 'node dist/bench/run.js', machine: '2 CPUs', date: '2024-01-01', load: '0.5' };
  it('opens a section with the command, machine, date and load', () => {
    expect(runHeader(meta)).toEqual(['Command: `node dist/bench/run.js`  ', 'Machine: 2 CPUs  ', 'Date: 2024-01-01  ', 'Load average (1 min): 0.5']);
  });

  it('extends the machine line', () => {
    expect(runHeader(meta, ', Docker Engine 27.0')[1]).toBe('Machine: 2 CPUs, Docker Engine 27.0  ');
  });
});
