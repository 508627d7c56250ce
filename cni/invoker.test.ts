import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CniError } from './errors.js';
import { createCniInvoker, formatCniArgs, podIPsOf, type CniInvokerOptions } from './invoker.js';
import { ErrorCode, type NetConf, type NetConfList } from './types.js';

// Recording plugins: tiny executables that log each call (command, stdin, CNI_* variables), answer
// VERSION with the versions they were made with, echo prevResult on ADD (adding their name to
// dns.nameservers so order is visible) and fail or stall on request.
interface Recorder {
  name: string;
  versions?: string[];
  failOn?: string;
  sleepMs?: number;
}

interface Call {
  plugin: string;
  cmd: string;
  conf: NetConf;
  env: { id: string; netns: string; ifName: string; args: string; path: string };
}

let dir: string;
let bin: string;
let log: string;
const logger = pino({ level: 'silent' });

async function makeRecorder(r: Recorder): Promise<void> {
  const opts = { versions: ['0.3.1', '0.4.0', '1.0.0'], ...r, log };
  const file = path.join(bin, r.name);
  await writeFile(
    file,
    `#!${process.execPath}
const fs = require('fs');
const opts = ${JSON.stringify(opts)};
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const cmd = process.env.CNI_COMMAND;
  const conf = input ? JSON.parse(input) : {};
  const out = (o) => process.stdout.write(JSON.stringify(o));
  if (cmd === 'VERSION') return out({ cniVersion: '1.0.0', supportedVersions: opts.versions });
  const env = { id: process.env.CNI_CONTAINERID, netns: process.env.CNI_NETNS, ifName: process.env.CNI_IFNAME, args: process.env.CNI_ARGS, path: process.env.CNI_PATH };
  fs.appendFileSync(opts.log, JSON.stringify({ plugin: opts.name, cmd, conf, env }) + '\\n');
  setTimeout(() => {
    if (opts.failOn === cmd) {
      out({ cniVersion: conf.cniVersion, code: 150, msg: 'injected failure', details: opts.name });
      process.exit(1);
    }
    if (cmd !== 'ADD') return;
    const prev = conf.prevResult;
    out(prev
      ? { ...prev, dns: { nameservers: [...((prev.dns && prev.dns.nameservers) || []), opts.name] } }
      : { cniVersion: conf.cniVersion, interfaces: [{ name: 'host0' }, { name: process.env.CNI_IFNAME, sandbox: process.env.CNI_NETNS }],
          ips: [{ address: '10.9.9.9/24', interface: 1 }, { address: '10.8.8.8/32', interface: 0 }], dns: { nameservers: [opts.name] } });
  }, opts.sleepMs || 0);
});
`,
  );
  await chmod(file, 0o755);
}

async function calls(): Promise<Call[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Call);
}

const list = (plugins: NetConf[] | object[], extra: object = {}): NetConfList => ({ cniVersion: '1.0.0', name: 'rec', plugins: plugins as NetConf[], ...extra });
const invoker = (conf: NetConfList, opts: Partial<CniInvokerOptions> = {}) => createCniInvoker({ conf, binDirs: [path.join(dir, 'empty'), bin], logger, cacheDir: path.join(dir, 'cache'), ...opts });
const params = { containerId: 'ctr1', netnsPath: '/var/run/netns/fake', ifName: 'eth0', args: { K8S_POD_NAMESPACE: 'ns', K8S_POD_NAME: 'p' } };
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as CniError);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tug-invoker-'));
  bin = path.join(dir, 'bin');
  log = path.join(dir, 'calls.log');
  await mkdir(bin);
  for (const r of [
    { name: 'a' },
    { name: 'b' },
    { name: 'c' },
    { name: 'fails-add', failOn: 'ADD' },
    { name: 'old', versions: ['0.3.1'] },
    { name: 'slow', sleepMs: 5000 },
  ]) {
    await makeRecorder(r);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await rm(log, { force: true });
});

describe('createCniInvoker with a configuration list', () => {
  const chain = list([{ type: 'a', cniVersion: '0.3.1', name: 'other' }, { type: 'b', capabilities: { portMappings: true, bandwidth: true } }, { type: 'c' }]);

  it('runs ADD in order, chaining prevResult, and returns the final result with podIPs', async () => {
    const cni = invoker(chain);
    const portMappings = [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' as const }];
    const result = await cni.add({ ...params, capabilityArgs: { portMappings } });
    expect(result.podIPs).toEqual(['10.9.9.9']);
    expect(result.network).toBe('rec');
    expect(result.dns).toEqual({ nameservers: ['a', 'b', 'c'] });

    const log = await calls();
    expect(log.map((c) => `${c.cmd} ${c.plugin}`)).toEqual(['ADD a', 'ADD b', 'ADD c']);
    for (const c of log) {
      expect([c.conf.name, c.conf.cniVersion]).toEqual(['rec', '1.0.0']);
      expect(c.env).toEqual({ id: 'ctr1', netns: '/var/run/netns/fake', ifName: 'eth0', args: 'K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p', path: `${path.join(dir, 'empty')}:${bin}` });
    }
    expect(log[0]!.conf.prevResult).toBeUndefined();
    expect(log[1]!.conf.prevResult!.dns).toEqual({ nameservers: ['a'] });
    expect(log[2]!.conf.prevResult!.dns).toEqual({ nameservers: ['a', 'b'] });
    expect(log.map((c) => c.conf.runtimeConfig)).toEqual([undefined, { portMappings }, undefined]);
  });

  it('runs CHECK in order and DEL in reverse with the cached result, then forgets it', async () => {
    const cni = invoker(chain);
    const result = await cni.add(params);
    await rm(log);
    await cni.check(params);
    await cni.del(params);
    const log1 = await calls();
    expect(log1.map((c) => `${c.cmd} ${c.plugin}`)).toEqual(['CHECK a', 'CHECK b', 'CHECK c', 'DEL c', 'DEL b', 'DEL a']);
    const { podIPs: _ips, network: _n, ...plain } = result;
    for (const c of log1) expect(c.conf.prevResult).toEqual(plain);

    await rm(log);
    await cni.del(params); // again: nothing cached any more, still every plugin
    expect((await calls()).map((c) => [c.plugin, c.conf.prevResult])).toEqual([
      ['c', undefined],
      ['b', undefined],
      ['a', undefined],
    ]);
    expect((await failure(cni.check(params)))!.code).toBe(ErrorCode.UnknownContainer);
  });

  it('reports a failing ADD with the plugin name and DELs the whole list', async () => {
    const cni = invoker(list([{ type: 'a' }, { type: 'fails-add' }, { type: 'c' }]));
    const err = await failure(cni.add(params));
    expect(err).toBeInstanceOf(CniError);
    expect([err!.code, err!.msg, err!.details, err!.plugin]).toEqual([150, 'injected failure', 'fails-add', 'fails-add']);
    expect((await calls()).map((c) => `${c.cmd} ${c.plugin}`)).toEqual(['ADD a', 'ADD fails-add', 'DEL c', 'DEL fails-add', 'DEL a']);
  });

  it.each([
    ['a plugin without the list version', list([{ type: 'a' }, { type: 'old' }]), ErrorCode.IncompatibleVersion, 'old'],
    ['a missing plugin', list([{ type: 'nope' }]), ErrorCode.InvalidConfig, 'nope'],
    ['a plugin type with a path', list([{ type: '../bin/a' }]), ErrorCode.InvalidConfig, '../bin/a'],
  ])('rejects %s', async (_name, conf, code, plugin) => {
    const err = await failure(invoker(conf).add(params));
    expect([err!.code, err!.plugin]).toEqual([code, plugin]);
  });

  it('kills a plugin that outlives the timeout (TryAgainLater)', async () => {
    const started = Date.now();
    const err = await failure(invoker(list([{ type: 'slow' }]), { timeoutMs: 500 }).add(params));
    expect([err!.code, err!.plugin]).toEqual([ErrorCode.TryAgainLater, 'slow']);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('skips CHECK when the list disables it', async () => {
    const cni = invoker(list([{ type: 'a' }], { disableCheck: true }));
    await cni.add(params);
    await cni.check(params);
    expect((await calls()).map((c) => c.cmd)).toEqual(['ADD']);
  });

  it('speaks older versions: no CHECK, no prevResult on DEL', async () => {
    const cni = invoker(list([{ type: 'a' }, { type: 'old' }], { cniVersion: '0.3.1' }));
    await cni.add(params);
    expect((await failure(cni.check(params)))!.code).toBe(ErrorCode.IncompatibleVersion);
    await cni.del(params);
    const dels = (await calls()).filter((c) => c.cmd === 'DEL');
    expect(dels.map((c) => [c.plugin, c.conf.cniVersion, c.conf.prevResult])).toEqual([
      ['old', '0.3.1', undefined],
      ['a', '0.3.1', undefined],
    ]);
  });

  it('reads the configuration from a directory', async () => {
    const confDir = path.join(dir, 'net.d');
    await mkdir(confDir, { recursive: true });
    await writeFile(path.join(confDir, '10-rec.conf'), JSON.stringify({ cniVersion: '1.0.0', name: 'fromdir', type: 'b' }));
    const cni = createCniInvoker({ confDir, binDirs: [bin], logger, cacheDir: path.join(dir, 'cache') });
    expect((await cni.add(params)).network).toBe('fromdir');
    await cni.del(params);
    expect((await calls()).map((c) => `${c.cmd} ${c.plugin} ${c.conf.name}`)).toEqual(['ADD b fromdir', 'DEL b fromdir']);
  });
});

describe('helpers', () => {
  it('formats CNI_ARGS', () => {
    expect(formatCniArgs({ IgnoreUnknown: '1', K8S_POD_NAME: 'web-0' })).toBe('IgnoreUnknown=1;K8S_POD_NAME=web-0');
    expect(formatCniArgs(undefined)).toBe('');
  });

  it('takes pod IPs from sandbox interfaces only', () => {
    expect(
      podIPsOf({
        cniVersion: '1.0.0',
        interfaces: [{ name: 'br' }, { name: 'eth0', sandbox: '/ns' }],
        ips: [{ address: '10.0.0.5/24', interface: 1 }, { address: '10.0.0.1/24', interface: 0 }, { address: 'fd00::5/64' }],
      }),
    ).toEqual(['10.0.0.5', 'fd00::5']);
  });
});
