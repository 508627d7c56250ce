import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh, shQuiet } from '../cni/testing/harness.js';
import { chainNames } from './chains.js';
import { createProxyHost, type ProxyHost } from './host.js';
import { createRuleApplier } from './iptables.js';
import { renderRules, type RenderedRules } from './render.js';
import { randomIn, testPrefix, testService, testSlice } from './testing/fixtures.js';

// The applier on real iptables, with a chain prefix of its own. Another program's rules are played
// by a canary chain (CANARY-<prefix>) jumped to from the top and the bottom of built-in chains;
// they must survive every apply and the cleanup. Everything is removed in afterAll.
const prefix = testPrefix();
const names = chainNames(prefix);
const canary = `CANARY-${prefix}`;
const net = `10.253.${randomIn(1, 254)}`;
const nodePort = randomIn(29000, 29900);
const host = createProxyHost();
const applier = createRuleApplier({ host, prefix });

const ports = [{ name: 'http', port: 80 }];
const web = testService('ns', 'web', `${net}.10`, [{ ...ports[0]!, nodePort }], { type: 'NodePort' });
const api = testService('ns', 'api', `${net}.11`, [{ name: 'grpc', port: 9000, protocol: 'UDP' as const }]);
const empty = testService('ns', 'empty', `${net}.12`, ports);
const webSlice = (...ips: string[]) => testSlice('ns', 'web', [{ name: 'http', port: 8080 }], ips.map((ip) => ({ ip })));
const apiSlice = testSlice('ns', 'api', [{ name: 'grpc', port: 9000, protocol: 'UDP' }], [{ ip: '10.244.7.7' }]);

function render(services = [web, api, empty], slices = [webSlice('10.244.1.2', '10.244.2.3'), apiSlice]): RenderedRules {
  return renderRules({ services, endpointSlices: slices, nodeName: 'node-a', nodeIPs: [`${net}.1`], clusterCIDR: '10.244.0.0/16', prefix });
}

const save = async (table: string) => (await sh('iptables-save', ['-t', table])).split('\n');
/** Our chains in the kernel (declared in iptables-save). */
const ourChains = async (table: string) => (await save(table)).filter((l) => l.startsWith(`:${prefix}-`)).map((l) => l.slice(1).split(' ')[0]!).sort();
/** Chains declared in a rendered payload. */
const declared = (lines: string[]) => lines.filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]!).sort();
/** A built-in chain's rules as `iptables -S` lists them. */
const list = async (table: string, chain: string) => (await sh('iptables', ['-t', table, '-S', chain])).split('\n').filter((l) => l.startsWith('-A '));
const hookLines = (rules: RenderedRules, table: string, chain: string) => rules.hooks.filter((h) => h.table === table && h.chain === chain).map((h) => `-A ${chain} ${h.rule.join(' ')}`);

const CANARY_HOOKS = [
  ['nat', 'PREROUTING'],
  ['nat', 'POSTROUTING'],
  ['filter', 'FORWARD'],
  ['filter', 'INPUT'],
] as const;
const canaryRule = (table: string) => `-A ${canary} -s 192.0.2.${table === 'nat' ? 1 : 2}/32 -j RETURN`;

async function canaryLines(): Promise<string[]> {
  const out: string[] = [];
  for (const table of ['nat', 'filter']) out.push(...(await save(table)).filter((l) => l.includes(canary)).map((l) => `${table} ${l}`));
  return out;
}

beforeAll(async () => {
  for (const table of ['nat', 'filter']) {
    await sh('iptables', ['-t', table, '-N', canary]);
    await sh('iptables', ['-t', table, ...canaryRule(table).split(' ')]);
  }
  for (const [table, chain] of CANARY_HOOKS) {
    await sh('iptables', ['-t', table, '-I', chain, '1', '-s', '192.0.2.0/24', '-j', canary]);
    await sh('iptables', ['-t', table, '-A', chain, '-s', '198.51.100.0/24', '-j', canary]);
  }
});

afterAll(async () => {
  await applier.cleanup();
  for (const [table, chain] of CANARY_HOOKS) {
    await shQuiet('iptables', ['-t', table, '-D', chain, '-s', '192.0.2.0/24', '-j', canary]);
    await shQuiet('iptables', ['-t', table, '-D', chain, '-s', '198.51.100.0/24', '-j', canary]);
  }
  for (const table of ['nat', 'filter']) {
    await shQuiet('iptables', ['-t', table, '-F', canary]);
    await shQuiet('iptables', ['-t', table, '-X', canary]);
  }
});

/** Lines of iptables-save that neither belong to the proxy nor are counters, for before/after comparisons. */
async function othersRules(): Promise<string[]> {
  const out: string[] = [];
  for (const table of ['nat', 'filter']) {
    // Other tests on this host may be changing tug-bridge's and Docker's rules meanwhile.
    out.push(...(await save(table)).filter((l) => l.startsWith('-A ') && !l.includes(`${prefix}-`) && !/TUG-CNI|tug-cni|DOCKER/.test(l)).map((l) => `${table} ${l}`));
  }
  return out.sort();
}

describe('RuleApplier on real iptables', () => {
  let canaryBefore: string[];
  let othersBefore: string[];

  it('adds the proxy’s chains and hooks, and nothing else', async () => {
    canaryBefore = await canaryLines();
    othersBefore = await othersRules();
    const rules = render();
    const result = await applier.apply(rules);
    expect(result).toMatchObject({ restored: true, deleted: 0 });
    expect(result.written).toBe(declared(rules.nat).length + declared(rules.filter).length);
    expect(await ourChains('nat')).toEqual(declared(rules.nat));
    expect(await ourChains('filter')).toEqual(declared(rules.filter));
    // Each of our chains holds as many rules as rendered.
    const natSave = await save('nat');
    for (const chain of declared(rules.nat)) {
      expect(natSave.filter((l) => l.startsWith(`-A ${chain} `)).length, chain).toBe(rules.nat.filter((l) => l.startsWith(`-A ${chain} `)).length);
    }
    // The hooks head their built-in chains, in order; the canary jumps follow.
    for (const [table, chain] of [['nat', 'PREROUTING'], ['nat', 'OUTPUT'], ['nat', 'POSTROUTING'], ['filter', 'INPUT'], ['filter', 'FORWARD'], ['filter', 'OUTPUT']] as const) {
      const wanted = hookLines(rules, table, chain);
      expect((await list(table, chain)).slice(0, wanted.length), `${table} ${chain}`).toEqual(wanted);
    }
    expect(await canaryLines()).toEqual(canaryBefore);
    expect(await othersRules()).toEqual(othersBefore);
  });

  it('does nothing when the rule set is unchanged', async () => {
    const before = [...(await save('nat')), ...(await save('filter'))].filter((l) => l.includes(prefix));
    expect(await applier.apply(render())).toEqual({ written: 0, deleted: 0, hooksInserted: 0, restored: false });
    expect([...(await save('nat')), ...(await save('filter'))].filter((l) => l.includes(prefix))).toEqual(before);
  });

  it('rewrites only what one endpoint change touches, and deletes the old endpoint’s chain', async () => {
    const before = render();
    const after = render(undefined, [webSlice('10.244.1.2', '10.244.3.4'), apiSlice]);
    const gone = declared(before.nat).filter((c) => !declared(after.nat).includes(c));
    expect(gone).toHaveLength(1);
    expect(await applier.apply(after)).toEqual({ written: 2, deleted: 1, hooksInserted: 0, restored: true }); // the SVC chain and the new SEP
    expect(await ourChains('nat')).toEqual(declared(after.nat));
    expect((await save('nat')).join('\n')).not.toContain(gone[0]!);
  });

  it('puts its hooks back on top when another program inserts above them, without touching that rule', async () => {
    await sh('iptables', ['-I', 'FORWARD', '1', '-s', '192.0.2.0/24', '-j', canary]);
    try {
      const rules = render(undefined, [webSlice('10.244.1.2', '10.244.3.4'), apiSlice]);
      expect(await applier.apply(rules)).toMatchObject({ written: 0, hooksInserted: 2, restored: true });
      const forward = await list('filter', 'FORWARD');
      expect(forward.slice(0, 2)).toEqual(hookLines(rules, 'filter', 'FORWARD'));
      expect(forward.filter((l) => l === `-A FORWARD -s 192.0.2.0/24 -j ${canary}`)).toHaveLength(2);
    } finally {
      await sh('iptables', ['-D', 'FORWARD', '-s', '192.0.2.0/24', '-j', canary]);
    }
  });

  it('keeps one copy of a hook that was duplicated', async () => {
    const rules = render(undefined, [webSlice('10.244.1.2', '10.244.3.4'), apiSlice]);
    const [hook] = hookLines(rules, 'nat', 'PREROUTING');
    await sh('bash', ['-c', `iptables -t nat ${hook!}`]);
    expect(await applier.apply(rules)).toMatchObject({ hooksInserted: 1, restored: true });
    expect((await list('nat', 'PREROUTING')).filter((l) => l === hook)).toHaveLength(1);
  });

  it('rewrites everything when its hooks were removed behind its back', async () => {
    const rules = render(undefined, [webSlice('10.244.1.2', '10.244.3.4'), apiSlice]);
    const [hook] = hookLines(rules, 'nat', 'OUTPUT');
    await sh('bash', ['-c', `iptables -t nat ${hook!.replace('-A OUTPUT', '-D OUTPUT')}`]);
    await sh('iptables', ['-t', 'nat', '-F', names.nodePorts]);
    const result = await applier.apply(rules);
    expect(result.written).toBe(declared(rules.nat).length);
    expect(await list('nat', 'OUTPUT')).toContain(hook);
    expect((await save('nat')).filter((l) => l.startsWith(`-A ${names.nodePorts} `))).toHaveLength(1);
  });

  it('a new applier (a restarted agent) takes over and deletes chains of Services gone meanwhile', async () => {
    const restarted = createRuleApplier({ host, prefix });
    const rules = render([api]);
    const result = await restarted.apply(rules);
    expect(result.deleted).toBeGreaterThan(0);
    expect(await ourChains('nat')).toEqual(declared(rules.nat));
    expect((await save('nat')).join('\n')).not.toContain('ns/web');
    expect((await save('filter')).join('\n')).not.toContain('ns/empty');
    expect(await restarted.apply(rules)).toMatchObject({ restored: false });
  });

  it('applies nothing of a failing rule set, then recovers on the next apply', async () => {
    const good = render();
    const bad: RenderedRules = { ...good, nat: [...good.nat, `-A ${names.services} -j NO-SUCH-CHAIN-${prefix}`] };
    const before = await ourChains('nat');
    await expect(applier.apply(bad)).rejects.toThrow(/iptables-restore.*NO-SUCH-CHAIN/);
    expect(await ourChains('nat')).toEqual(before);
    await applier.apply(good);
    expect(await ourChains('nat')).toEqual(declared(good.nat));
  });

  it('refuses a rule set that names chains not its own', async () => {
    const good = render();
    await expect(applier.apply({ ...good, filter: [...good.filter, '-A FORWARD -j ACCEPT'] })).rejects.toThrow(/not a rule of the proxy/);
    await expect(applier.apply({ ...good, nat: [':TUG-CNI-MASQ - [0:0]'] })).rejects.toThrow(/not a rule of the proxy/);
  });

  it('cleanup removes every chain and hook of the prefix, and only those', async () => {
    await applier.cleanup();
    await applier.cleanup();
    for (const table of ['nat', 'filter']) expect((await save(table)).filter((l) => l.includes(`${prefix}-`))).toEqual([]);
    expect(await canaryLines()).toEqual(canaryBefore);
    expect(await othersRules()).toEqual(othersBefore);
  });
});

describe('ProxyHost', () => {
  const real: ProxyHost = createProxyHost();

  it('reports whether conntrack deleted anything', async () => {
    expect(await real.conntrackDelete(['-p', 'udp', '--orig-dst', `${net}.250`])).toBe(false);
  });
});
