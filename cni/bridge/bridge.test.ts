import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CniError } from '../errors.js';
import { cniEnv, execPlugin } from '../exec.js';
import { addNetns, buildPlugins, CNI_BIN, freeTestSubnet, ping, removeTestNetwork, sh, shQuiet, suffix } from '../testing/harness.js';
import { ErrorCode, type Command, type Result } from '../types.js';
import { hostVethName } from './bridge.js';
import { FORWARD_CHAIN, MASQ_CHAIN } from './firewall.js';
import { getLink } from './links.js';
import { createNetOps } from './netops.js';

// tug-bridge as a runtime runs it (the shim on CNI_PATH), on real network namespaces, a bridge and
// a subnet unique to this run. Everything is removed in afterAll, also when a test failed.
const PLUGIN = path.join(CNI_BIN, 'tug-bridge');
const id = suffix();
const network = `tugt-${id}`;
const bridge = `tugt${id}`;
const names = ['a', 'b', 'c', 'd', 'e'].map((n) => `tugtest-${id}-${n}`);
const netns = (i: number) => `/var/run/netns/${names[i]}`;
const ops = createNetOps();
let dataDir: string;
let subnet: string;
let prefix: string;

beforeAll(async () => {
  await buildPlugins();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tug-bridge-'));
  ({ subnet, prefix } = await freeTestSubnet());
  for (const n of names) await addNetns(n);
});

afterAll(async () => {
  for (const n of names) await shQuiet('ip', ['netns', 'del', n]);
  for (const i of names.keys()) await shQuiet('ip', ['link', 'del', hostVethName(`ctr-${id}-${i}`, 'eth0')]);
  await removeTestNetwork(network, bridge);
  await rm(dataDir, { recursive: true, force: true });
});

function conf(extra: object = {}): object {
  return {
    cniVersion: '1.0.0',
    name: network,
    type: 'tug-bridge',
    bridge,
    isDefaultGateway: true,
    ipMasq: true,
    hairpinMode: true,
    mtu: 1400,
    ipam: { type: 'tug-host-local', ranges: [[{ subnet }]], dataDir },
    ...extra,
  };
}

function call(command: Command, i: number, stdin: object = conf(), overrides: Record<string, string> = {}): Promise<unknown> {
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...cniEnv({ command, containerId: `ctr-${id}-${i}`, ifName: 'eth0', netns: netns(i), path: [CNI_BIN] }), ...overrides };
  return execPlugin(PLUGIN, env, stdin, 60_000);
}
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as CniError);
const ipOf = (r: Result) => r.ips![0]!.address.split('/')[0]!;
const ipFiles = async () => (await readdir(path.join(dataDir, network)).catch(() => [] as string[])).filter((f) => f.startsWith('10.'));
const natRules = async () => (await sh('iptables', ['-t', 'nat', '-S'])).split('\n');
const filterRules = async () => (await sh('iptables', ['-S'])).split('\n');
const ours = (lines: string[]) => lines.filter((l) => l.includes(`tug-cni:${network}"`));

describe('tug-bridge', () => {
  const results: Result[] = [];

  it('answers VERSION', async () => {
    expect(await call('VERSION', 0, { cniVersion: '1.0.0' })).toEqual({ cniVersion: '1.0.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] });
  });

  it('ADDs four containers at once to a bridge that does not exist yet', async () => {
    results.push(...((await Promise.all([0, 1, 2, 3].map((i) => call('ADD', i)))) as Result[]));
    const gateway = `${prefix}.1`;
    for (const [i, r] of results.entries()) {
      expect(r.cniVersion).toBe('1.0.0');
      expect(r.interfaces).toEqual([
        { name: bridge, mac: expect.any(String) },
        { name: hostVethName(`ctr-${id}-${i}`, 'eth0'), mac: expect.any(String) },
        { name: 'eth0', mac: expect.any(String), sandbox: netns(i) },
      ]);
      expect(r.ips).toEqual([{ address: expect.stringMatching(new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.\\d+/24$`)), gateway, interface: 2 }]);
      expect(r.routes).toEqual([{ dst: '0.0.0.0/0', gw: gateway }]);
    }
    expect(new Set(results.map(ipOf)).size).toBe(4);
    expect(await ipFiles()).toHaveLength(4);
  });

  it('wires the container: address, MTU, loopback, default route; bridge has the gateway', async () => {
    const link = await getLink(ops, 'eth0', netns(0));
    expect(link?.mtu).toBe(1400);
    expect((await getLink(ops, 'lo', netns(0)))?.flags).toContain('UP');
    expect(await sh('ip', ['-n', names[0]!, 'route', 'show', 'default'])).toContain(`via ${prefix}.1 dev eth0`);
    expect(await sh('ip', ['-4', 'addr', 'show', 'dev', bridge])).toContain(`inet ${prefix}.1/24`);
    const host = await getLink(ops, hostVethName(`ctr-${id}-0`, 'eth0'));
    expect([host?.master, host?.mtu, host?.linkinfo?.info_slave_data?.hairpin]).toEqual([bridge, 1400, true]);
  });

  it('lets the containers reach each other and the host reach both', async () => {
    const [a, b] = [ipOf(results[0]!), ipOf(results[1]!)];
    expect(await ping(b, names[0])).toBe(true);
    expect(await ping(a, names[1])).toBe(true);
    expect(await ping(a)).toBe(true);
    expect(await ping(b)).toBe(true);
  });

  it('keeps masquerade and forward rules for the network in its own chains', async () => {
    expect(ours(await natRules())).toEqual([
      `-A ${MASQ_CHAIN} -s ${subnet} -d ${subnet} -m comment --comment "tug-cni:${network}" -j RETURN`,
      `-A ${MASQ_CHAIN} -s ${subnet} ! -d 224.0.0.0/4 -m comment --comment "tug-cni:${network}" -j MASQUERADE`,
    ]);
    expect(await natRules()).toContain(`-A POSTROUTING -m comment --comment "tug-cni ${MASQ_CHAIN}" -j ${MASQ_CHAIN}`);
    expect(ours(await filterRules())).toEqual([
      `-A ${FORWARD_CHAIN} -i ${bridge} -m comment --comment "tug-cni:${network}" -j ACCEPT`,
      `-A ${FORWARD_CHAIN} -o ${bridge} -m comment --comment "tug-cni:${network}" -j ACCEPT`,
    ]);
  });

  it('CHECK passes, and fails with CheckFailed once a route is gone', async () => {
    await expect(call('CHECK', 0, { ...conf(), prevResult: results[0] })).resolves.toBeUndefined();
    await sh('ip', ['-n', names[0]!, 'route', 'del', 'default']);
    const err = await failure(call('CHECK', 0, { ...conf(), prevResult: results[0] }));
    expect([err?.code, err?.msg]).toEqual([ErrorCode.CheckFailed, 'route missing']);
    await sh('ip', ['-n', names[0]!, 'route', 'add', 'default', 'via', `${prefix}.1`]);
    expect((await failure(call('CHECK', 0, conf())))?.code).toBe(ErrorCode.InvalidConfig); // no prevResult
  });

  it('DEL removes the veth pair and the address; a second DEL is fine', async () => {
    await call('DEL', 2);
    expect(await getLink(ops, hostVethName(`ctr-${id}-2`, 'eth0'))).toBeUndefined();
    expect(await getLink(ops, 'eth0', netns(2))).toBeUndefined();
    expect(await ipFiles()).not.toContain(ipOf(results[2]!));
    await call('DEL', 2);
    expect(ours(await natRules())).toHaveLength(2); // others still attached
  });

  it('DEL succeeds when the namespace is already gone, or not given', async () => {
    await sh('ip', ['netns', 'del', names[3]!]);
    await call('DEL', 3);
    await call('DEL', 3, conf(), { CNI_NETNS: '' });
    expect(await getLink(ops, hostVethName(`ctr-${id}-3`, 'eth0'))).toBeUndefined();
    expect(await ipFiles()).not.toContain(ipOf(results[3]!));
  });

  it('removes the network rules (and chains left empty) with the last container', async () => {
    await call('DEL', 0);
    await call('DEL', 1);
    expect(await ipFiles()).toEqual([]);
    const nat = await natRules();
    const filter = await filterRules();
    expect(ours(nat)).toEqual([]);
    expect(ours(filter)).toEqual([]);
    if (!nat.some((l) => l.startsWith(`-A ${MASQ_CHAIN} `))) expect(nat.join('\n')).not.toContain(MASQ_CHAIN);
    if (!filter.some((l) => l.startsWith(`-A ${FORWARD_CHAIN} `))) expect(filter.join('\n')).not.toContain(FORWARD_CHAIN);
  });

  it.each([
    ['an invalid bridge name', 0, conf({ bridge: 'no/slash' }), ErrorCode.InvalidConfig],
    ['no ipam', 0, conf({ ipam: undefined }), ErrorCode.InvalidConfig],
    ['an IPAM plugin not on CNI_PATH', 0, conf({ ipam: { type: 'no-such-ipam' } }), ErrorCode.InvalidConfig],
    ['a namespace that does not exist', 3, conf(), ErrorCode.UnknownContainer],
    ['a bad mtu', 0, conf({ mtu: 10 }), ErrorCode.InvalidConfig],
    ['an unsupported version', 0, conf({ cniVersion: '0.2.0' }), ErrorCode.IncompatibleVersion],
  ])('rejects ADD with %s', async (_name, i, stdin, code) => {
    const err = await failure(call('ADD', i, stdin));
    expect(err).toBeInstanceOf(CniError);
    expect(err!.code).toBe(code);
    expect(await ipFiles()).toEqual([]);
  });

  it('undoes an ADD that fails half-way (the interface name is taken in the container)', async () => {
    await sh('ip', ['-n', names[4]!, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
    const err = await failure(call('ADD', 4));
    expect(err?.code).toBe(ErrorCode.Internal);
    expect(await ipFiles()).toEqual([]);
    expect(await getLink(ops, hostVethName(`ctr-${id}-4`, 'eth0'))).toBeUndefined();
    expect(ours(await natRules())).toEqual([]);
  });
});
