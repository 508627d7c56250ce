import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { removeKubeconfigEntry, writeKubeconfig } from './kubeconfig.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kubeconfig-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (name: string) => ({ name, server: `https://${name}:6443`, caCertPem: 'PEM', token: `token-${name}` });
const names = (config: any, key: string) => config[key].map((x: any) => x.name);

describe('removeKubeconfigEntry', () => {
  it('removes only the named cluster, user and context, and the current context when it was that one', async () => {
    const file = path.join(dir, 'config');
    await writeKubeconfig(file, entry('a'));
    await writeKubeconfig(file, entry('b'));
    expect(await removeKubeconfigEntry(file, 'b')).toBe(true);
    const config = parse(await readFile(file, 'utf8'));
    expect([names(config, 'clusters'), names(config, 'users'), names(config, 'contexts')]).toEqual([['a'], ['a'], ['a']]);
    expect(config['current-context']).toBe('');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('keeps the current context when another entry goes', async () => {
    const file = path.join(dir, 'config');
    await writeKubeconfig(file, entry('a'));
    await writeKubeconfig(file, entry('b'));
    await removeKubeconfigEntry(file, 'a');
    expect(parse(await readFile(file, 'utf8'))['current-context']).toBe('b');
  });

  it('writes nothing when the file or the entry does not exist', async () => {
    const file = path.join(dir, 'config');
    expect(await removeKubeconfigEntry(file, 'a')).toBe(false);
    await expect(stat(file)).rejects.toThrow();
    await writeKubeconfig(file, entry('a'));
    const before = await readFile(file, 'utf8');
    expect(await removeKubeconfigEntry(file, 'other')).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});
