/**
 * Link, address and route operations the bridge plugin needs, built on NetOps' `ip` (JSON output).
 * Creation steps (batch steps marked tolerateExists) tolerate "already exists" so that concurrent
 * plugin runs (two pods starting at once, both creating the bridge) and retries converge; deletions
 * tolerate "not there".
 */
import { isExists, isMissing, type NetOps } from './netops.js';

export interface Link {
  ifname: string;
  address?: string;
  master?: string;
  flags: string[];
  mtu: number;
  linkinfo?: { info_kind?: string; info_slave_kind?: string; info_slave_data?: { hairpin?: boolean } };
}

export interface LinkAddress {
  family: string;
  local: string;
  prefixlen: number;
}

/** One command of runBatch(); `tolerateExists`: "already exists" counts as done. */
export interface BatchStep {
  args: string[];
  tolerateExists?: boolean;
}

export interface LinkRoute {
  dst: string;
  gateway?: string;
  dev?: string;
}

/** The link called `name` (with details), or undefined when there is none. */
export async function getLink(ops: NetOps, name: string, netns?: string): Promise<Link | undefined> {
  try {
    const [link] = JSON.parse(await ops.ip(['-j', '-d', 'link', 'show', 'dev', name], netns)) as Link[];
    return link;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/**
 * Runs `steps` in one `ip` process (in `netns` when given); resolves with the links the `link show`
 * steps printed, in order. Rejects with the first failure that is not tolerated.
 */
export async function runBatch(ops: NetOps, steps: BatchStep[], netns?: string): Promise<Link[]> {
  const { failures, output } = await ops.ipBatch(steps.map((s) => s.args), netns);
  const fatal = failures.find((f) => !(steps[f.index]?.tolerateExists && isExists(f.error)));
  if (fatal) throw fatal.error;
  return output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as Link[])[0]!);
}

/** Deletes a link; nothing happens when it is already gone. */
export async function deleteLink(ops: NetOps, name: string, netns?: string): Promise<void> {
  try {
    await ops.ip(['link', 'del', 'dev', name], netns);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}

/** Names of the interfaces attached to bridge `bridge`. */
export async function bridgePorts(ops: NetOps, bridge: string): Promise<string[]> {
  try {
    return (JSON.parse(await ops.ip(['-j', 'link', 'show', 'master', bridge])) as Link[]).map((l) => l.ifname);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

export async function addresses(ops: NetOps, dev: string, netns?: string): Promise<LinkAddress[]> {
  const [link] = JSON.parse(await ops.ip(['-j', 'addr', 'show', 'dev', dev], netns)) as { addr_info?: LinkAddress[] }[];
  return link?.addr_info ?? [];
}

export async function routes(ops: NetOps, netns?: string): Promise<LinkRoute[]> {
  return JSON.parse(await ops.ip(['-j', 'route', 'show'], netns)) as LinkRoute[];
}
