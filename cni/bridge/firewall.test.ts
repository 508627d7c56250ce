import { afterAll, describe, expect, it } from 'vitest';
import { FIREWALL_LOCK, removeTestNetwork, sh, shQuiet, suffix } from '../testing/harness.js';
import { Firewall, FORWARD_CHAIN, MASQ_CHAIN, type NetworkRules } from './firewall.js';
import { createNetOps } from './netops.js';

// Two test networks sharing tug-bridge's chains, on real iptables. Their bridges need not exist
// (no ports means unused) except where a test attaches a veth.
const id = suffix();
const firewall = new Firewall(createNetOps(), FIREWALL_LOCK);
const net = (n: string, extra: Partial<NetworkRules> = {}): NetworkRules => ({
  network: `tugfw-${id}-${n}`,
  bridge: `tugfw${id}${n}`,
  subnets: [`10.254.${n === 'a' ? 251 : 252}.0/24`],
  ipMasq: true,
  ipMasqExclude: [],
  ...extra,
});
const a = net('a', { ipMasqExclude: ['10.250.0.0/16'] });
const b = net('b');

afterAll(async () => {
  await shQuiet('ip', ['link', 'del', `tugfwd${id}`]);
  await removeTestNetwork(a.network, a.bridge);
  await removeTestNetwork(b.network, b.bridge);
});

const lines = async (table: string, network: string) => (await sh('iptables', ['-t', table, '-S'])).split('\n').filter((l) => l.includes(`"tug-cni:${network}"`));

describe('Firewall', () => {
  it('writes per-network rules once, however often ensured', async () => {
    await firewall.ensure(a);
    await firewall.ensure(a);
    await firewall.ensure(b);
    expect(await lines('nat', a.network)).toEqual([
      `-A ${MASQ_CHAIN} -s 10.254.251.0/24 -d 10.254.251.0/24 -m comment --comment "tug-cni:${a.network}" -j RETURN`,
      `-A ${MASQ_CHAIN} -s 10.254.251.0/24 -d 10.250.0.0/16 -m comment --comment "tug-cni:${a.network}" -j RETURN`,
      `-A ${MASQ_CHAIN} -s 10.254.251.0/24 ! -d 224.0.0.0/4 -m comment --comment "tug-cni:${a.network}" -j MASQUERADE`,
    ]);
    expect(await lines('filter', b.network)).toHaveLength(2);
    const jumps = (await sh('iptables', ['-S', 'FORWARD'])).split('\n').filter((l) => l.endsWith(`-j ${FORWARD_CHAIN}`));
    expect(jumps).toEqual([`-A FORWARD -m comment --comment "tug-cni ${FORWARD_CHAIN}" -j ${FORWARD_CHAIN}`]);
    expect(await firewall.missing(a)).toEqual([]);
  });

  it('replaces a network’s rules when its configuration changes', async () => {
    await firewall.ensure({ ...a, ipMasqExclude: [] });
    expect(await lines('nat', a.network)).toHaveLength(2);
    await firewall.ensure({ ...a, ipMasq: false });
    expect(await lines('nat', a.network)).toEqual([]);
    expect(await lines('nat', b.network)).toHaveLength(2);
    await firewall.ensure(a);
    expect(await lines('nat', a.network)).toHaveLength(3);
  });

  it('writes only forward rules without ipMasq', async () => {
    const c = net('c', { ipMasq: false });
    try {
      await firewall.ensure(c);
      expect(await lines('nat', c.network)).toEqual([]);
      expect(await lines('filter', c.network)).toHaveLength(2);
    } finally {
      await removeTestNetwork(c.network, c.bridge);
    }
  });

  it('keeps the rules while the bridge has ports, removes only that network’s rules after', async () => {
    await sh('ip', ['link', 'add', a.bridge, 'type', 'bridge']);
    await sh('ip', ['link', 'add', `tugfwd${id}`, 'type', 'veth', 'peer', 'name', `tugfwp${id}`]);
    await sh('ip', ['link', 'set', `tugfwd${id}`, 'master', a.bridge]);
    await firewall.removeIfUnused(a.network, a.bridge);
    expect(await lines('nat', a.network)).toHaveLength(3);

    await sh('ip', ['link', 'del', `tugfwd${id}`]);
    await firewall.removeIfUnused(a.network, a.bridge);
    expect(await lines('nat', a.network)).toEqual([]);
    expect(await lines('filter', a.network)).toEqual([]);
    expect((await firewall.missing(a)).length).toBeGreaterThan(0);
    expect(await firewall.missing(b)).toEqual([]);
  });

  it('deletes a chain and its jump with the last network using it', async () => {
    await firewall.removeIfUnused(b.network, b.bridge);
    await firewall.removeIfUnused(b.network, b.bridge);
    for (const [table, chain] of [
      ['nat', MASQ_CHAIN],
      ['filter', FORWARD_CHAIN],
    ] as const) {
      const save = await sh('iptables', ['-t', table, '-S']);
      if (!save.includes(`-A ${chain} `)) expect(save).not.toContain(chain);
    }
  });
});
