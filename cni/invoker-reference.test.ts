import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLink } from './bridge/links.js';
import { createNetOps } from './bridge/netops.js';
import { createCniInvoker, type CniResult } from './invoker.js';
import { addNetns, freeTestSubnet, ping, REFERENCE_BIN, sh, shQuiet, suffix } from './testing/harness.js';
import type { NetConfList } from './types.js';

// "Any CNI-spec plugin by configuration": the invoker driving Debian's reference bridge and
// host-local plugins (containernetworking-plugins) on real namespaces.
const id = suffix();
const network = `tugref-${id}`;
const bridge = `tugr${id}`;
const names = [`tugtest-${id}-r1`, `tugtest-${id}-r2`];
let dir: string;
let conf: NetConfList;
const params = (i: number) => ({ containerId: `ref-${id}-${i}`, netnsPath: `/var/run/netns/${names[i]}`, ifName: 'eth0' });
const invoker = () => createCniInvoker({ conf, binDirs: [REFERENCE_BIN], logger: pino({ level: 'silent' }), cacheDir: path.join(dir, 'cache') });
const results: CniResult[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tug-ref-'));
  const { subnet } = await freeTestSubnet();
  conf = {
    cniVersion: '1.0.0',
    name: network,
    plugins: [
      {
        cniVersion: '1.0.0',
        name: network,
        type: 'bridge',
        bridge,
        isGateway: true,
        ipam: { type: 'host-local', ranges: [[{ subnet }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: path.join(dir, 'ipam') },
      },
    ],
  };
  for (const n of names) await addNetns(n);
});

afterAll(async () => {
  for (const n of names) await shQuiet('ip', ['netns', 'del', n]);
  await shQuiet('ip', ['link', 'del', 'dev', bridge]);
  await rm(dir, { recursive: true, force: true });
});

describe('the invoker with Debian reference plugins', () => {
  it('ADDs pods the host reaches', async () => {
    const cni = invoker();
    for (const i of [0, 1]) results.push(await cni.add(params(i)));
    for (const r of results) {
      expect(r.podIPs).toHaveLength(1);
      expect(await ping(r.podIPs[0]!)).toBe(true);
    }
    expect(results[0]!.interfaces?.[2]).toMatchObject({ name: 'eth0', sandbox: params(0).netnsPath });
  });

  it('CHECKs them', async () => {
    for (const i of [0, 1]) await invoker().check(params(i));
  });

  it('DELs them (twice) without leftovers', async () => {
    const cni = invoker();
    for (const i of [0, 1]) {
      await cni.del(params(i));
      await cni.del(params(i));
    }
    for (const r of results) expect(await getLink(createNetOps(), r.interfaces![1]!.name)).toBeUndefined();
    expect((await readdir(path.join(dir, 'ipam', network))).filter((f) => f.startsWith('10.'))).toEqual([]);
    expect(await sh('iptables-save', [])).not.toContain(network);
  });
});
