import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostVethName } from './bridge/bridge.js';
import { getLink } from './bridge/links.js';
import { createNetOps } from './bridge/netops.js';
import { CniError } from './errors.js';
import { createCniInvoker, type CniResult } from './invoker.js';
import { tugboatNetworkConfig, writeNetworkConfig } from './network-config.js';
import { addNetns, buildPlugins, CNI_BIN, freeTestSubnet, ping, REFERENCE_BIN, removeTestNetwork, sh, shQuiet, suffix } from './testing/harness.js';
import { ErrorCode, type NetConfList } from './types.js';

describe('tugboatNetworkConfig', () => {
  it('is tug-bridge over tug-host-local of the pod CIDR', () => {
    expect(tugboatNetworkConfig({ podCIDR: '10.244.3.0/24', bridge: 'tug0', mtu: 1450, clusterCIDR: '10.244.0.0/16' })).toEqual({
      cniVersion: '1.0.0',
      name: 'tugboat',
      plugins: [
        {
          cniVersion: '1.0.0',
          name: 'tugboat',
          type: 'tug-bridge',
          bridge: 'tug0',
          isDefaultGateway: true,
          ipMasq: true,
          ipMasqExclude: ['10.244.0.0/16'],
          hairpinMode: true,
          mtu: 1450,
          ipam: { type: 'tug-host-local', ranges: [[{ subnet: '10.244.3.0/24' }]] },
        },
      ],
    });
  });

  it.each([['10.244.3.0'], ['fd00::/64'], ['x']])('refuses podCIDR %j', (podCIDR) => {
    expect(() => tugboatNetworkConfig({ podCIDR, bridge: 'tug0' })).toThrow(/podCIDR/);
  });
});

// The default network written to a directory, run through the invoker with Tugboat's plugins and
// Debian's `tuning` chained after them (it consumes tug-bridge's result as prevResult).
describe('the default network through the invoker', () => {
  const id = suffix();
  const network = `tugnc-${id}`;
  const bridge = `tugn${id}`;
  const names = [`tugtest-${id}-x`, `tugtest-${id}-y`];
  let dir: string;
  let confDir: string;
  let subnet: string;
  const results: CniResult[] = [];
  const params = (i: number) => ({ containerId: `nc-${id}-${i}`, netnsPath: `/var/run/netns/${names[i]}`, ifName: 'eth0', args: { IgnoreUnknown: '1', K8S_POD_NAME: `p${i}` } });
  const invoker = () => createCniInvoker({ confDir, binDirs: [CNI_BIN, REFERENCE_BIN], logger: pino({ level: 'silent' }), cacheDir: path.join(dir, 'cache') });

  beforeAll(async () => {
    await buildPlugins();
    dir = await mkdtemp(path.join(os.tmpdir(), 'tug-netconf-it-'));
    confDir = path.join(dir, 'net.d');
    ({ subnet } = await freeTestSubnet());
    for (const n of names) await addNetns(n);
  });

  afterAll(async () => {
    for (const n of names) await shQuiet('ip', ['netns', 'del', n]);
    await removeTestNetwork(network, bridge);
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the configuration file', async () => {
    const file = await writeNetworkConfig(confDir, { name: network, podCIDR: subnet, bridge, mtu: 1450, clusterCIDR: '10.250.0.0/16', dataDir: path.join(dir, 'ipam') });
    expect(path.basename(file)).toBe('10-tugboat.conflist');
    const conf = JSON.parse(await readFile(file, 'utf8')) as NetConfList;
    conf.plugins.push({ cniVersion: '1.0.0', name: network, type: 'tuning', sysctl: { 'net.core.somaxconn': '512' } });
    await writeFile(file, JSON.stringify(conf));
  });

  it('attaches two pods that reach each other and the host', async () => {
    const cni = invoker();
    results.push(...(await Promise.all([0, 1].map((i) => cni.add(params(i))))));
    for (const r of results) expect(r.podIPs).toEqual([expect.stringMatching(new RegExp(`^${subnet.replace(/0\/24$/, '').replace(/\./g, '\\.')}\\d+$`))]);
    expect(await ping(results[1]!.podIPs[0]!, names[0])).toBe(true);
    expect(await ping(results[0]!.podIPs[0]!)).toBe(true);
    expect((await sh('ip', ['netns', 'exec', names[0]!, 'cat', '/proc/sys/net/core/somaxconn'])).trim()).toBe('512');
    expect((await getLink(createNetOps(), 'eth0', params(0).netnsPath))?.mtu).toBe(1450);
  });

  it('CHECKs each plugin against the cached result', async () => {
    await invoker().check(params(0));
  });

  it('detaches without leaving veths, addresses, rules or cached results behind', async () => {
    const cni = invoker();
    for (const i of [0, 1]) {
      await cni.del(params(i));
      await cni.del(params(i));
    }
    for (const i of [0, 1]) expect(await getLink(createNetOps(), hostVethName(params(i).containerId, 'eth0'))).toBeUndefined();
    expect((await readdir(path.join(dir, 'ipam', network))).filter((f) => f.startsWith('10.'))).toEqual([]);
    expect(await readdir(path.join(dir, 'cache'))).toEqual([]);
    expect(await sh('iptables-save', [])).not.toContain(`tug-cni:${network}`);
    const err = await invoker()
      .check(params(0))
      .catch((e: unknown) => e as CniError);
    expect(err).toMatchObject({ code: ErrorCode.UnknownContainer });
  });
});
