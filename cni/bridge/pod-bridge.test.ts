import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createNetOps } from './netops.js';
import { ensurePodBridge, podGateway } from './pod-bridge.js';

describe('podGateway', () => {
  it('is the first address of the pod CIDR, whatever address the CIDR is written with', () => {
    expect(podGateway('10.244.3.0/24')).toEqual({ address: '10.244.3.1', prefix: 24 });
    expect(podGateway('10.244.3.77/24')).toEqual({ address: '10.244.3.1', prefix: 24 });
  });
  it('rejects a malformed or IPv6 CIDR, naming it', () => {
    expect(() => podGateway('10.244.3.0')).toThrow(/pod CIDR must be an IPv4 CIDR, got "10.244.3.0"/);
    expect(() => podGateway('fd00::/64')).toThrow(/IPv4/);
  });
});

describe('ensurePodBridge (real links)', () => {
  const bridge = `tugpb${randomBytes(2).toString('hex')}`;
  afterEach(() => {
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  });

  it('creates the bridge up with the gateway address, and a second call changes nothing', async () => {
    const ops = createNetOps();
    expect(await ensurePodBridge(ops, bridge, '10.251.7.0/24')).toBe('10.251.7.1');
    expect(await ensurePodBridge(ops, bridge, '10.251.7.0/24')).toBe('10.251.7.1');
    const [link] = JSON.parse(execFileSync('ip', ['-j', '-d', 'addr', 'show', 'dev', bridge], { encoding: 'utf8' }));
    expect(link.linkinfo.info_kind).toBe('bridge');
    expect(link.flags).toContain('UP');
    expect(link.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`)).toEqual(['10.251.7.1/24']);
  });
});
