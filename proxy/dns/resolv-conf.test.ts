import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostResolvers, parseNameservers } from './resolv-conf.js';

describe('parseNameservers', () => {
  it('reads nameserver lines in order, dropping zone ids, comments and non-addresses', () => {
    const text = '# generated\nsearch example.com\nnameserver 10.0.0.2\n  nameserver   fe80::1%eth0\nnameserver bogus\n;nameserver 10.0.0.9\noptions ndots:2\nnameserver 127.0.0.53\n';
    expect(parseNameservers(text)).toEqual(['10.0.0.2', 'fe80::1', '127.0.0.53']);
  });
});

describe('hostResolvers', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tug-resolv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const files = async (main: string | undefined, systemd: string | undefined) => {
    const out = [path.join(dir, `main-${Math.random()}`), path.join(dir, `systemd-${Math.random()}`)];
    if (main !== undefined) await writeFile(out[0]!, main);
    if (systemd !== undefined) await writeFile(out[1]!, systemd);
    return out;
  };

  it.each([
    ['remote servers in /etc/resolv.conf', 'nameserver 10.0.0.2\nnameserver 127.0.0.53\nnameserver 10.0.0.3\n', 'nameserver 192.0.2.1\n', ['10.0.0.2', '10.0.0.3']],
    ['the systemd-resolved stub: its upstreams instead', 'nameserver 127.0.0.53\n', 'nameserver 192.0.2.1\nnameserver 192.0.2.2\n', ['192.0.2.1', '192.0.2.2']],
    ['only loopback anywhere: the loopback servers', 'nameserver 127.0.0.11\n', undefined, ['127.0.0.11']],
    ['no files at all', undefined, undefined, []],
  ])('%s', async (_, main, systemd, want) => {
    expect(await hostResolvers(await files(main, systemd))).toEqual(want);
  });
});
