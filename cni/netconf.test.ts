import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfDir, parseConfList, toConfList } from './netconf.js';
import { ErrorCode } from './types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tug-netconf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('toConfList', () => {
  it('turns a single plugin configuration into a list of one', () => {
    expect(toConfList({ cniVersion: '0.4.0', name: 'n', type: 'bridge', bridge: 'b0' })).toEqual({
      cniVersion: '0.4.0',
      name: 'n',
      plugins: [{ cniVersion: '0.4.0', name: 'n', type: 'bridge', bridge: 'b0' }],
    });
  });

  it('picks the highest supported entry of cniVersions', () => {
    expect(toConfList({ cniVersions: ['0.3.1', '1.0.0', '1.1.0', '0.4.0'], name: 'n', plugins: [{ type: 'a' }] }).cniVersion).toBe('1.0.0');
  });

  it.each([
    ['not an object', [], ErrorCode.InvalidConfig],
    ['unsupported version', { cniVersion: '0.1.0', name: 'n', type: 'a' }, ErrorCode.IncompatibleVersion],
    ['no usable cniVersions', { cniVersions: ['9.0.0'], name: 'n', type: 'a' }, ErrorCode.IncompatibleVersion],
    ['bad name', { cniVersion: '1.0.0', name: '_n', type: 'a' }, ErrorCode.InvalidConfig],
    ['single without type', { cniVersion: '1.0.0', name: 'n' }, ErrorCode.InvalidConfig],
    ['empty plugins', { cniVersion: '1.0.0', name: 'n', plugins: [] }, ErrorCode.InvalidConfig],
    ['plugin without type', { cniVersion: '1.0.0', name: 'n', plugins: [{ bridge: 'x' }] }, ErrorCode.InvalidConfig],
    ['disableCheck not boolean', { cniVersion: '1.0.0', name: 'n', disableCheck: 'true', plugins: [{ type: 'a' }] }, ErrorCode.InvalidConfig],
  ])('%s → code %i', (_name, raw, code) => {
    expect(() => toConfList(raw)).toThrow(expect.objectContaining({ code }));
  });

  it('reports unparsable JSON as a decoding failure', () => {
    expect(() => parseConfList('{', 'f.conf')).toThrow(expect.objectContaining({ code: ErrorCode.DecodingFailure }));
  });
});

describe('loadConfDir', () => {
  it('uses the lexically first configuration file', async () => {
    await writeFile(path.join(dir, '20-b.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'second', plugins: [{ type: 'x' }] }));
    await writeFile(path.join(dir, '10-a.conf'), JSON.stringify({ cniVersion: '1.0.0', name: 'first', type: 'x' }));
    await writeFile(path.join(dir, '00-ignored.txt'), 'not a config');
    expect((await loadConfDir(dir)).name).toBe('first');
  });

  it('fails for a missing directory (IOFailure) and one without configuration (InvalidConfig)', async () => {
    await expect(loadConfDir(path.join(dir, 'missing'))).rejects.toMatchObject({ code: ErrorCode.IOFailure });
    await mkdir(path.join(dir, 'empty'));
    await expect(loadConfDir(path.join(dir, 'empty'))).rejects.toMatchObject({ code: ErrorCode.InvalidConfig });
  });
});
