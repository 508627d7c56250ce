import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostVethName } from './bridge/bridge.js';
import { getLink } from './bridge/links.js';
import { createNetOps } from './bridge/netops.js';
import { builtinPlugins } from './builtin.js';
import type { CniError } from './errors.js';
import { cniEnv, execPlugin } from './exec.js';
import { runInProcess } from './in-process.js';
import { createCniInvoker, type CniResult } from './invoker.js';
import { tugboatNetworkConfig } from './network-config.js';
import { addNetns, buildPlugins, CNI_BIN, freeTestSubnet, ping, removeTestNetwork, sh, shQuiet, suffix } from './testing/harness.js';
import { ErrorCode, type NetConfList } from './types.js';

// Tugboat's plugins run in-process (builtins) against the same plugins run as executables: the
// same configuration gives the same results and the same errors, and either side undoes what the
// other did (they share the result cache and the host's state).
const id = suffix();
const network = `tugbi-${id}`;
const bridge = `tugi${id}`;
const names = [`tugtest-${id}-e`, `tugtest-${id}-i`];
const netnsPath = (i: number) => `/var/run/netns/${names[i]}`;
const params = (i: number) => ({ containerId: `bi-${id}-${i}`, netnsPath: netnsPath(i), ifName: 'eth0', args: { IgnoreUnknown: '1', K8S_POD_NAME: `p${i}` } });
const logger = pino({ level: 'silent' });
let dir: string;
let conf: NetConfList;
const executables = () => createCniInvoker({ conf, binDirs: [CNI_BIN], logger, cacheDir: path.join(dir, 'cache') });
const inProcess = () => createCniInvoker({ conf, binDirs: [CNI_BIN], logger, cacheDir: path.join(dir, 'cache'), builtins: builtinPlugins() });
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as CniError);
const errorOf = (e: CniError | undefined) => e && { code: e.code, msg: e.msg, details: e.details, plugin: e.plugin };

/** A result with what differs per container (addresses, names, MACs) replaced by placeholders. */
function shape(r: CniResult, i: number): unknown {
  const text = JSON.stringify(r)
    .replaceAll(hostVethName(params(i).containerId, 'eth0'), '<veth>')
    .replaceAll(netnsPath(i), '<netns>')
    .replaceAll(r.podIPs[0]!, '<ip>')
    .replace(/"mac":"[0-9a-f:]+"/g, '"mac":"<mac>"');
  return JSON.parse(text);
}

beforeAll(async () => {
  await buildPlugins();
  dir = await mkdtemp(path.join(os.tmpdir(), 'tug-builtin-'));
  const { subnet } = await freeTestSubnet();
  conf = tugboatNetworkConfig({ name: network, podCIDR: subnet, bridge, mtu: 1400, clusterCIDR: '10.250.0.0/16', dataDir: path.join(dir, 'ipam') });
  for (const n of names) await addNetns(n);
});

afterAll(async () => {
  for (const n of names) await shQuiet('ip', ['netns', 'del', n]);
  for (const i of names.keys()) await shQuiet('ip', ['link', 'del', hostVethName(params(i).containerId, 'eth0')]);
  await shQuiet('ip', ['link', 'del', hostVethName(`bi-${id}-x`, 'eth1')]);
  await removeTestNetwork(network, bridge);
  await removeTestNetwork(`${network}x`, bridge);
  await rm(dir, { recursive: true, force: true });
});

describe('Tugboat plugins in-process', () => {
  const results: CniResult[] = [];

  it('answer VERSION as their executables do', async () => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cniEnv({ command: 'VERSION', containerId: '', ifName: '', path: [CNI_BIN] }) };
    for (const [type, factory] of builtinPlugins()) {
      expect(await runInProcess(type, factory, env, { cniVersion: '0.4.0' }, 10_000)).toEqual(await execPlugin(path.join(CNI_BIN, type), env, { cniVersion: '0.4.0' }, 10_000));
    }
  });

  it('ADD gives the result the executables give', async () => {
    results.push(await executables().add(params(0)), await inProcess().add(params(1)));
    expect(results[1]!.podIPs).toHaveLength(1);
    expect(results[1]!.podIPs[0]).not.toBe(results[0]!.podIPs[0]);
    expect(shape(results[1]!, 1)).toEqual(shape(results[0]!, 0));
    expect(await ping(results[0]!.podIPs[0]!, names[1])).toBe(true);
    expect((await getLink(createNetOps(), 'eth0', netnsPath(1)))?.mtu).toBe(1400);
  });

  it('CHECK passes across the two (shared result cache and host state)', async () => {
    await inProcess().check(params(0));
    await executables().check(params(1));
  });

  it.each([
    ['an unknown namespace', { netnsPath: '/var/run/netns/tugtest-missing' }, ErrorCode.UnknownContainer],
    ['an invalid interface name', { ifName: 'no/slash' }, ErrorCode.InvalidEnvironment],
  ])('fail ADD with the same error for %s', async (_what, override, code) => {
    const p = { ...params(0), containerId: `bi-${id}-bad`, ...override };
    const [byExec, byBuiltin] = [await failure(executables().add(p)), await failure(inProcess().add(p))];
    expect(errorOf(byBuiltin)).toEqual(errorOf(byExec));
    expect(byBuiltin?.code).toBe(code);
  });

  it('fail with the IPAM plugin error when the range is exhausted', async () => {
    const full = tugboatNetworkConfig({ name: `${network}x`, podCIDR: '10.254.255.252/30', bridge, dataDir: path.join(dir, 'ipam') });
    const invoke = (builtins: boolean) =>
      createCniInvoker({ conf: full, binDirs: [CNI_BIN], logger, cacheDir: path.join(dir, 'cache-full'), ...(builtins ? { builtins: builtinPlugins() } : {}) });
    const second = (i: number, name: string) => ({ ...params(i), containerId: `bi-${id}-${name}`, ifName: 'eth1' });
    // A /30 has one address besides the gateway: once it is taken, both find none.
    await invoke(true).add(second(0, 'x'));
    const [byExec, byBuiltin] = [await failure(invoke(false).add(second(1, 'y'))), await failure(invoke(true).add(second(1, 'z')))];
    expect(errorOf(byBuiltin)).toEqual(errorOf(byExec));
    expect(byBuiltin?.code).toBe(ErrorCode.RangeExhausted);
    await invoke(false).del(second(0, 'x'));
  });

  it('DEL undoes what the other side added, without leftovers', async () => {
    await inProcess().del(params(0));
    await executables().del(params(1));
    for (const i of [0, 1]) expect(await getLink(createNetOps(), hostVethName(params(i).containerId, 'eth0'))).toBeUndefined();
    expect((await readdir(path.join(dir, 'ipam', network))).filter((f) => f.startsWith('10.'))).toEqual([]);
    expect(await readdir(path.join(dir, 'cache'))).toEqual([]);
    expect(await sh('iptables-save', [])).not.toContain(`tug-cni:${network}"`);
  });
});
