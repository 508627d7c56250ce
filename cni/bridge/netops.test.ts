import { describe, expect, it } from 'vitest';
import { batchFailures, createNetOps, isMissing } from './netops.js';

describe('batchFailures', () => {
  const commands = [['addr', 'add', '10.0.0.2/24', 'dev', 'eth0'], ['link', 'set', 'dev', 'eth0', 'up'], ['route', 'add', 'default', 'via', '10.0.0.1']];
  it.each([
    ['nothing failed', '', []],
    ['one command', 'Error: ipv4: Address already assigned.\nCommand failed -:1\n', [[0, 'Error: ipv4: Address already assigned.\n']]],
    [
      'two commands',
      'RTNETLINK answers: File exists\nCommand failed -:1\nCannot find device "eth0"\nCommand failed -:2\n',
      [
        [0, 'RTNETLINK answers: File exists\n'],
        [1, 'Cannot find device "eth0"\n'],
      ],
    ],
  ])('reads %s from stderr', (_what, stderr, expected) => {
    const failures = batchFailures(commands, stderr);
    expect(failures.map((f) => [f.index, f.error.stderr])).toEqual(expected);
    for (const f of failures) expect(f.error.command).toBe(`ip ${commands[f.index]!.join(' ')}`);
  });
});

describe('ipBatch', () => {
  it('runs every command, reports the ones that failed and hands back what the others printed', async () => {
    const { failures, output } = await createNetOps().ipBatch([['link', 'show', 'dev', 'lo'], ['link', 'show', 'dev', 'tugnosuchdev0'], ['link', 'set', 'dev', 'lo', 'up'], ['link', 'show', 'dev', 'lo']]);
    expect(failures.map((f) => f.index)).toEqual([1]);
    expect(isMissing(failures[0]!.error)).toBe(true);
    const lines = output.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l[0].ifname)).toEqual(['lo', 'lo']);
    expect(lines[1][0].flags).toContain('UP');
  });

  it('refuses arguments with whitespace', async () => {
    await expect(createNetOps().ipBatch([['link', 'show', 'dev', 'lo x']])).rejects.toThrow(/whitespace/);
  });
});
