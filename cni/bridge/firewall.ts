/**
 * The bridge plugin's iptables rules, in two chains of its own, each reached by one jump rule
 * (nothing else in other chains is touched):
 * - nat TUG-CNI-MASQ (from POSTROUTING), for networks with ipMasq: traffic from a pod subnet to
 *   the subnet itself, to ipMasqExclude and to multicast is left alone, the rest is masqueraded.
 *   (The agent excludes the cluster CIDR: pods on other nodes see a pod's own address.)
 * - filter TUG-CNI-FWD (first in FORWARD): traffic in and out of the network's bridge is accepted,
 *   whatever its other end, so pods reach each other, other nodes' pods (routed in through the
 *   node's interface) and the world on hosts whose FORWARD policy is DROP (Docker's).
 * Rules are per network (tagged with the comment "tug-cni:<network>"), written while any container
 * is attached to the network's bridge and removed with the last one; a chain left empty goes with
 * its jump. Changes are made under a host-wide lock and applied with one iptables-restore per table.
 */
import { withFileLock } from '../lock.js';
import { bridgePorts } from './links.js';
import type { NetOps } from './netops.js';

export const MASQ_CHAIN = 'TUG-CNI-MASQ';
export const FORWARD_CHAIN = 'TUG-CNI-FWD';
const LOCK_TIMEOUT_MS = 30_000;
const MULTICAST = '224.0.0.0/4';

export interface NetworkRules {
  network: string;
  bridge: string;
  /** The pod subnets (CIDR) of the network on this host. */
  subnets: string[];
  ipMasq: boolean;
  ipMasqExclude: string[];
}

/** iptables arguments of one rule, after the chain name. */
type Rule = string[];

interface ChainSpec {
  table: 'nat' | 'filter';
  chain: string;
  parent: string;
  /** The jump goes first in the parent chain (else last). */
  first: boolean;
  rules(r: NetworkRules): Rule[];
}

const tag = (network: string): Rule => ['-m', 'comment', '--comment', `tug-cni:${network}`];

const CHAINS: ChainSpec[] = [
  {
    table: 'nat',
    chain: MASQ_CHAIN,
    parent: 'POSTROUTING',
    first: false,
    rules: (r) =>
      r.ipMasq
        ? r.subnets.flatMap((s) => [
            ...[s, ...r.ipMasqExclude].map((dst) => ['-s', s, '-d', dst, ...tag(r.network), '-j', 'RETURN']),
            ['-s', s, '!', '-d', MULTICAST, ...tag(r.network), '-j', 'MASQUERADE'],
          ])
        : [],
  },
  {
    table: 'filter',
    chain: FORWARD_CHAIN,
    parent: 'FORWARD',
    first: true,
    rules: (r) => [
      ['-i', r.bridge, ...tag(r.network), '-j', 'ACCEPT'],
      ['-o', r.bridge, ...tag(r.network), '-j', 'ACCEPT'],
    ],
  },
];

const jumpRule = (spec: ChainSpec): Rule => ['-m', 'comment', '--comment', `tug-cni ${spec.chain}`, '-j', spec.chain];

/** One rule in iptables-restore syntax. */
function render(op: string, chain: string, rule: Rule): string {
  return [op, chain, ...rule.map((a) => (/^[\w.:/!-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, '\\$1')}"`))].join(' ');
}

/** The lines of `iptables -S` output that are rules of `chain`, jumps to it, and whether it exists. */
function scan(save: string, spec: ChainSpec) {
  const lines = save.split('\n');
  return {
    exists: lines.includes(`-N ${spec.chain}`),
    rules: lines.filter((l) => l.startsWith(`-A ${spec.chain} `)),
    jumps: lines.filter((l) => l.startsWith(`-A ${spec.parent} `) && l.endsWith(`-j ${spec.chain}`)),
  };
}

/**
 * iptables-save output as `iptables -t <table> -S` prints each table: chain declarations become
 * `-P <chain> <policy>` (built-in chains) or `-N <chain>`, rules stay as they are.
 */
export function listTables(save: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) tables.set(line.slice(1).trim(), (current = []));
    else if (!current || line === 'COMMIT' || line.startsWith('#')) continue;
    else if (line.startsWith(':')) {
      const [chain, policy] = line.slice(1).split(' ');
      current.push(policy === '-' ? `-N ${chain}` : `-P ${chain} ${policy}`);
    } else if (line.startsWith('-A ')) current.push(line);
  }
  return tables;
}

/** A rule as `iptables -S` prints it (comments quoted). */
export function listed(chain: string, rule: Rule): string {
  return ['-A', chain, ...rule.map((a, i) => (rule[i - 1] === '--comment' ? `"${a}"` : a))].join(' ');
}

const belongsTo = (line: string, network: string) => line.includes(`--comment "tug-cni:${network}"`) || line.includes(`--comment tug-cni:${network} `);

export class Firewall {
  constructor(
    private readonly ops: NetOps,
    private readonly lockFile: string,
  ) {}

  private async has(spec: ChainSpec, chain: string, rule: Rule): Promise<boolean> {
    try {
      await this.ops.iptables(['-t', spec.table, '-C', chain, ...rule]);
      return true;
    } catch {
      return false;
    }
  }

  /** Descriptions of the network's rules (and jumps) that are missing; empty when all are in place. */
  async missing(r: NetworkRules): Promise<string[]> {
    const out: string[] = [];
    for (const spec of CHAINS) {
      const rules = spec.rules(r);
      if (rules.length === 0) continue;
      if (!(await this.has(spec, spec.parent, jumpRule(spec)))) out.push(`${spec.table} ${spec.parent} jump to ${spec.chain}`);
      for (const rule of rules) {
        if (!(await this.has(spec, spec.chain, rule))) out.push(`${spec.table} ${render('-A', spec.chain, rule)}`);
      }
    }
    return out;
  }

  /** Puts the network's rules in place (replacing older ones of the network). Idempotent. */
  async ensure(r: NetworkRules): Promise<void> {
    await withFileLock(this.lockFile, LOCK_TIMEOUT_MS, async () => {
      const listings = await this.listings();
      for (const [i, spec] of CHAINS.entries()) {
        const wanted = spec.rules(r);
        const found = scan(listings[i]!, spec);
        const ours = found.rules.filter((l) => belongsTo(l, r.network));
        const needJump = wanted.length > 0 && found.jumps.length === 0;
        // Listed exactly as wanted means present; a listing that differs only in form is checked with -C.
        const listedAsWanted = ours.length === wanted.length && ours.every((l, i) => l === listed(spec.chain, wanted[i]!));
        if (!needJump && ours.length === wanted.length && (listedAsWanted || (await this.allPresent(spec, wanted)))) continue;
        // Declaring the chain flushes it; it is refilled in the same transaction.
        const input = [
          `*${spec.table}`,
          `:${spec.chain} - [0:0]`,
          ...found.rules.filter((l) => !belongsTo(l, r.network)),
          ...wanted.map((rule) => render('-A', spec.chain, rule)),
          ...(needJump ? [render(spec.first ? '-I' : '-A', spec.parent, spec.first ? ['1', ...jumpRule(spec)] : jumpRule(spec))] : []),
          'COMMIT',
        ];
        await this.ops.iptablesRestore(input.join('\n') + '\n');
      }
    });
  }

  /** `iptables -S` of each chain's table, in CHAINS order, from one iptables-save. */
  private async listings(): Promise<string[]> {
    const tables = listTables(await this.ops.iptablesSave());
    return CHAINS.map((spec) => (tables.get(spec.table) ?? []).join('\n'));
  }

  private async allPresent(spec: ChainSpec, rules: Rule[]): Promise<boolean> {
    for (const rule of rules) if (!(await this.has(spec, spec.chain, rule))) return false;
    return true;
  }

  /**
   * Removes the network's rules once no interface is attached to `bridge` any more; a chain left
   * empty is deleted with its jump. Idempotent; a no-op while the bridge has ports.
   */
  async removeIfUnused(network: string, bridge: string): Promise<void> {
    await withFileLock(this.lockFile, LOCK_TIMEOUT_MS, async () => {
      if ((await bridgePorts(this.ops, bridge)).length > 0) return;
      const listings = await this.listings();
      for (const [i, spec] of CHAINS.entries()) {
        const found = scan(listings[i]!, spec);
        const ours = found.rules.filter((l) => belongsTo(l, network));
        const othersLeft = found.rules.length > ours.length;
        if (ours.length === 0 && (othersLeft || !found.exists)) continue;
        const input = [
          `*${spec.table}`,
          ...ours.map((l) => l.replace(/^-A /, '-D ')),
          ...(othersLeft ? [] : [...found.jumps.map((l) => l.replace(/^-A /, '-D ')), `-X ${spec.chain}`]),
          'COMMIT',
        ];
        await this.ops.iptablesRestore(input.join('\n') + '\n');
      }
    });
  }
}
