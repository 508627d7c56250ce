import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxConfig } from '../runtime.js';
import { hostsFile, removeSandboxFiles, resolvConf, sharedBinds, writeSandboxFiles } from './sandbox-files.js';

describe('resolvConf', () => {
  it.each([
    ['search, servers and options', { servers: ['10.96.0.10', '8.8.8.8'], searches: ['ns.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5'] }, 'search ns.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\nnameserver 8.8.8.8\noptions ndots:5\n'],
    ['servers only', { servers: ['1.1.1.1'], searches: [], options: [] }, 'nameserver 1.1.1.1\n'],
    ['nothing', { servers: [], searches: [], options: [] }, ''],
  ])('writes %s', (_what, dns, want) => {
    expect(resolvConf(dns, 'host')).toBe(want);
  });

  it("is the host's without a DNS config", () => {
    expect(resolvConf(undefined, 'nameserver 192.0.2.1\n')).toBe('nameserver 192.0.2.1\n');
  });
});

describe('hostsFile', () => {
  it("has Docker's entries and one line per alias name", () => {
    const text = hostsFile([{ ip: '10.1.2.3', hostnames: ['one', 'two'] }]);
    expect(text.split('\n')).toEqual(['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'ff00::0\tip6-mcastprefix', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters', '10.1.2.3\tone', '10.1.2.3\ttwo', '']);
  });
});

describe('sandbox file directories', () => {
  let root: string;
  const config: SandboxConfig = { pod: { uid: 'u', name: 'p', namespace: 'ns' }, attempt: 0, hostname: 'p', hostNetwork: false, portMappings: [], cgroupParent: '', labels: {}, dns: { servers: ['10.96.0.10'], searches: [], options: [] } };

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tug-sandbox-files-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('are written per sandbox, found among its binds, and removed with it', async () => {
    const [a, b] = [await writeSandboxFiles(root, config), await writeSandboxFiles(root, config)];
    expect(a.map((x) => x.split(':').slice(1).join(':'))).toEqual(['/etc/resolv.conf:rw', '/etc/hosts:rw']);
    expect(path.dirname(a[0]!.split(':')[0]!)).not.toBe(path.dirname(b[0]!.split(':')[0]!));
    expect(await readFile(a[0]!.split(':')[0]!, 'utf8')).toBe('nameserver 10.96.0.10\n');
    expect(sharedBinds(['/data:/data:rw', ...a])).toEqual(a);
    await removeSandboxFiles(root, ['/data:/data:rw', ...a]);
    expect(existsSync(path.dirname(a[0]!.split(':')[0]!))).toBe(false);
    expect(existsSync(path.dirname(b[0]!.split(':')[0]!))).toBe(true);
    // Never anything outside the root.
    await removeSandboxFiles(root, [`${os.tmpdir()}/resolv.conf:/etc/resolv.conf:rw`]);
    expect(existsSync(os.tmpdir())).toBe(true);
  });
});
