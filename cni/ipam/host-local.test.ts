import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CniError } from '../errors.js';
import { cniEnv, execPlugin } from '../exec.js';
import { buildPlugins, CNI_BIN } from '../testing/harness.js';
import { ErrorCode, type Command, type Result } from '../types.js';

// The real executable (shim → dist), as a runtime runs it.
const PLUGIN = path.join(CNI_BIN, 'tug-host-local');
let dataDir: string;

beforeAll(async () => {
  await buildPlugins();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tug-host-local-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function call(command: Command, network: string, ipam: object, containerId: string, ifName = 'eth0', extra: object = {}): Promise<unknown> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cniEnv({ command, containerId, ifName, netns: '/proc/self/ns/net', path: [CNI_BIN] }) };
  const conf = { cniVersion: '1.0.0', name: network, type: 'tug-host-local', ipam: { type: 'tug-host-local', dataDir, ...ipam }, ...extra };
  return execPlugin(PLUGIN, env, conf, 30_000);
}
const add = async (...a: Parameters<typeof call>) => (await call(...a)) as Result;
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as CniError);

describe('tug-host-local', () => {
  const small = { ranges: [[{ subnet: '10.254.0.0/29' }]], routes: [{ dst: '0.0.0.0/0' }] };

  it('allocates round robin, never the gateway, until exhausted; DEL frees', async () => {
    const addresses: string[] = [];
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      const r = await add('ADD', 'small', small, id);
      expect(r.ips![0]!.gateway).toBe('10.254.0.1');
      addresses.push(r.ips![0]!.address);
    }
    expect(addresses).toEqual(['10.254.0.2/29', '10.254.0.3/29', '10.254.0.4/29', '10.254.0.5/29', '10.254.0.6/29']);
    expect(await readFile(path.join(dataDir, 'small', '10.254.0.4'), 'utf8')).toBe('c\r\neth0');

    const exhausted = await failure(call('ADD', 'small', small, 'f'));
    expect(exhausted).toBeInstanceOf(CniError);
    expect(exhausted!.code).toBe(ErrorCode.RangeExhausted);

    await call('DEL', 'small', small, 'c');
    await call('DEL', 'small', small, 'c'); // idempotent
    const again = await add('ADD', 'small', small, 'f');
    expect(again.ips![0]!.address).toBe('10.254.0.4/29');
    expect(again.routes).toEqual([{ dst: '0.0.0.0/0' }]);
  });

  it('gives a repeated ADD the same address and keeps interfaces apart', async () => {
    const first = await add('ADD', 'repeat', small, 'x');
    const second = await add('ADD', 'repeat', small, 'x');
    const other = await add('ADD', 'repeat', small, 'x', 'net1');
    expect(second.ips).toEqual(first.ips);
    expect(other.ips![0]!.address).not.toBe(first.ips![0]!.address);
    await call('DEL', 'repeat', small, 'x');
    const left = (await readdir(path.join(dataDir, 'repeat'))).filter((f) => f.startsWith('10.'));
    expect(left).toEqual([other.ips![0]!.address.split('/')[0]]);
  });

  it('allocates one address per range set (dual stack) and prints the configured version', async () => {
    const ipam = { ranges: [[{ subnet: '10.254.1.0/24' }], [{ subnet: 'fd00:254::/120' }]] };
    const r = (await call('ADD', 'dual', ipam, 'd1', 'eth0', { cniVersion: '0.4.0' })) as Result;
    expect(r).toEqual({
      cniVersion: '0.4.0',
      ips: [
        { address: '10.254.1.2/24', gateway: '10.254.1.1', version: '4' },
        { address: 'fd00:254::2/120', gateway: 'fd00:254::1', version: '6' },
      ],
    });
  });

  it('CHECK passes for a holder and fails once released', async () => {
    await add('ADD', 'check', small, 'k');
    await expect(call('CHECK', 'check', small, 'k')).resolves.toBeUndefined();
    await call('DEL', 'check', small, 'k');
    expect((await failure(call('CHECK', 'check', small, 'k')))!.code).toBe(ErrorCode.CheckFailed);
  });

  it('rejects invalid configuration with code 7', async () => {
    const err = await failure(call('ADD', 'bad', { ranges: [[{ subnet: '10.254.2.0/33' }]] }, 'z'));
    expect(err!.code).toBe(ErrorCode.InvalidConfig);
  });

  it('never hands out one address twice to 20 concurrent ADDs', async () => {
    const ipam = { ranges: [[{ subnet: '10.254.3.0/24' }]] };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => add('ADD', 'parallel', ipam, `p${i}`)));
    const ips = results.map((r) => r.ips![0]!.address);
    expect(new Set(ips).size).toBe(20);
    const files = (await readdir(path.join(dataDir, 'parallel'))).filter((f) => f.startsWith('10.'));
    expect(files).toHaveLength(20);
  });
});
