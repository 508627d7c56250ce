/**
 * Puts a rendered rule set (render.ts) in place with one `iptables-restore --noflush` per sync,
 * touching only the proxy's own chains (chains.ts) and its jump rules in built-in chains:
 * - Chains whose rules changed since the last apply are declared (which flushes them) and refilled;
 *   chains of the proxy that the rule set no longer has are flushed and deleted (-X); unchanged
 *   chains are left alone, so one endpoint change rewrites a handful of chains, not thousands.
 * - The hooks (jumps from PREROUTING, OUTPUT, POSTROUTING, INPUT, FORWARD) must head their built-in
 *   chain, once each and in order: every sync lists those chains (`iptables -S <chain>`) and, when
 *   they are not so, deletes the proxy's jumps there and inserts them at the top in the same
 *   transaction. Rules of others are never deleted, reordered or rewritten.
 * - What is in the kernel is learnt from `iptables-save` on the first apply, after a failed one and
 *   when a hook has gone missing (someone flushed the tables): then every chain is rewritten.
 * Applies are not concurrent-safe: the caller runs one at a time.
 */
import { chainNames, type ChainNames } from './chains.js';
import type { ProxyHost } from './host.js';
import type { Hook, RenderedRules, Table } from './render.js';

const TABLES: Table[] = ['nat', 'filter'];
const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

export interface ApplyResult {
  /** Chains declared and refilled. */
  written: number;
  /** Chains deleted. */
  deleted: number;
  /** Jump rules (re)inserted into built-in chains. */
  hooksInserted: number;
  /** Whether iptables-restore ran (false: everything was already in place). */
  restored: boolean;
}

export interface RuleApplier {
  /**
   * Makes the proxy's chains exactly `rules` and hooks them. Idempotent. On failure nothing of the
   * transaction of the failing table is applied, and the next apply rewrites everything.
   */
  apply(rules: RenderedRules): Promise<ApplyResult>;
  /** Removes every chain of the proxy's prefix and each jump to them. Idempotent. */
  cleanup(): Promise<void>;
}

/** A table's chains: name → rules (`-A …` lines); undefined rules: in the kernel, content unknown. */
type Chains = Map<string, string[] | undefined>;

/** The target of a rule line (`-j X`), if any. */
function target(line: string): string | undefined {
  const m = / -j (\S+)(?: |$)/.exec(line);
  return m?.[1];
}

/** Groups payload lines (`:X - [0:0]`, `-A X …`) by chain; every chain must be the proxy's own. */
function parsePayload(lines: string[], names: ChainNames): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  for (const line of lines) {
    const decl = /^:(\S+) - \[0:0\]$/.exec(line);
    const chain = decl?.[1] ?? /^-A (\S+) /.exec(line)?.[1];
    if (!chain || !names.isOurs(chain)) throw new Error(`rule set line is not a rule of the proxy's chains: ${line}`);
    if (decl) {
      if (!chains.has(chain)) chains.set(chain, []);
    } else {
      const rules = chains.get(chain);
      if (!rules) throw new Error(`rule set line for an undeclared chain: ${line}`);
      rules.push(line);
    }
  }
  return chains;
}

/** From `iptables-save` output: the proxy's chains, and the built-in chains' rules. */
function parseSave(save: string, names: ChainNames): { chains: Chains; builtin: Map<string, string[]> } {
  const chains: Chains = new Map();
  const builtin = new Map<string, string[]>();
  for (const line of save.split('\n')) {
    const decl = /^:(\S+) /.exec(line);
    if (decl && names.isOurs(decl[1]!)) chains.set(decl[1]!, undefined);
    const rule = /^-A (\S+) /.exec(line);
    if (!rule || !BUILTIN.has(rule[1]!)) continue;
    let lines = builtin.get(rule[1]!);
    if (!lines) builtin.set(rule[1]!, (lines = []));
    lines.push(line);
  }
  return { chains, builtin };
}

const sameRules = (a: string[] | undefined, b: string[]) => a !== undefined && a.length === b.length && a.every((l, i) => l === b[i]);

export function createRuleApplier(opts: { host: ProxyHost; prefix?: string }): RuleApplier {
  const { host } = opts;
  const names = chainNames(opts.prefix);
  /** Per table, the chains as last applied; absent: unknown, read iptables-save. */
  const applied = new Map<Table, Chains>();

  /** The -D/-I lines that make `hooks` head `chain`, given its current rules; empty when they do. */
  function fixHooks(chain: string, current: string[], hooks: Hook[]): { lines: string[]; inserted: number } {
    const wanted = hooks.map((h) => `-A ${chain} ${h.rule.join(' ')}`);
    const ours = current.filter((l) => names.isOurs(target(l) ?? ''));
    const inPlace = ours.length === wanted.length && wanted.every((w, i) => current[i] === w);
    if (inPlace) return { lines: [], inserted: 0 };
    return {
      lines: [...ours.map((l) => l.replace(/^-A /, '-D ')), ...hooks.map((h, i) => `-I ${chain} ${i + 1} ${h.rule.join(' ')}`)],
      inserted: hooks.length,
    };
  }

  /** The restore section of one table (without *table/COMMIT), and what it does. */
  async function planTable(table: Table, rules: RenderedRules): Promise<{ wanted: Map<string, string[]>; lines: string[]; result: Omit<ApplyResult, 'restored'> }> {
    const wanted = parsePayload(rules[table], names);
    const hooks = rules.hooks.filter((h) => h.table === table);
    const hookChains = [...new Set(hooks.map((h) => h.chain))];
    let known = applied.get(table);
    let builtin = new Map<string, string[]>();
    if (known) {
      const listed = await Promise.all(hookChains.map((chain) => host.iptablesList(table, chain)));
      hookChains.forEach((chain, i) => builtin.set(chain, listed[i]!.split('\n').filter((l) => l.startsWith(`-A ${chain} `))));
      const hookLines = hooks.map((h) => `-A ${h.chain} ${h.rule.join(' ')}`);
      // A hook gone altogether means someone reset the tables: relearn everything.
      if (!hookLines.every((l) => builtin.get(l.split(' ')[1]!)!.includes(l))) known = undefined;
    }
    if (!known) ({ chains: known, builtin } = parseSave(await host.iptablesSave(table), names));

    const written = [...wanted].filter(([chain, lines]) => !sameRules(known.get(chain), lines)).map(([chain]) => chain);
    const deleted = [...known.keys()].filter((chain) => !wanted.has(chain));
    const hookFixes = [...builtin.keys(), ...hookChains]
      .filter((c, i, all) => all.indexOf(c) === i)
      .map((chain) => fixHooks(chain, builtin.get(chain) ?? [], hooks.filter((h) => h.chain === chain)));
    const lines = [
      ...[...written, ...deleted].map((c) => `:${c} - [0:0]`),
      ...written.flatMap((c) => wanted.get(c)!),
      ...hookFixes.flatMap((f) => f.lines),
      ...deleted.map((c) => `-X ${c}`),
    ];
    return { wanted, lines, result: { written: written.length, deleted: deleted.length, hooksInserted: hookFixes.reduce((n, f) => n + f.inserted, 0) } };
  }

  return {
    async apply(rules) {
      const plans = await Promise.all(TABLES.map(async (table) => ({ table, ...(await planTable(table, rules)) })));
      const result: ApplyResult = { written: 0, deleted: 0, hooksInserted: 0, restored: false };
      for (const p of plans) {
        result.written += p.result.written;
        result.deleted += p.result.deleted;
        result.hooksInserted += p.result.hooksInserted;
      }
      const changed = plans.filter((p) => p.lines.length > 0);
      if (changed.length > 0) {
        const input = changed.flatMap((p) => [`*${p.table}`, ...p.lines, 'COMMIT']).join('\n') + '\n';
        try {
          await host.iptablesRestore(input);
        } catch (err) {
          applied.clear();
          throw err;
        }
        result.restored = true;
      }
      for (const p of plans) applied.set(p.table, p.wanted);
      return result;
    },

    async cleanup() {
      applied.clear();
      const sections: string[] = [];
      for (const table of TABLES) {
        const { chains, builtin } = parseSave(await host.iptablesSave(table), names);
        const jumps = [...builtin.values()].flat().filter((l) => names.isOurs(target(l) ?? ''));
        if (chains.size === 0 && jumps.length === 0) continue;
        sections.push(`*${table}`, ...jumps.map((l) => l.replace(/^-A /, '-D ')), ...[...chains.keys()].map((c) => `:${c} - [0:0]`), ...[...chains.keys()].map((c) => `-X ${c}`), 'COMMIT');
      }
      if (sections.length > 0) await host.iptablesRestore(sections.join('\n') + '\n');
    },
  };
}
