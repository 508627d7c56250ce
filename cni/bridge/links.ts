/**
 * Link, address and route operations the bridge plugin needs, built on NetOps' `ip` (JSON output).
 * Creation steps tolerate "already exists" so that concurrent plugin runs (two pods starting at once,
 * both creating the bridge) and retries converge; deletions tolerate "not there".
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

/** Creates the bridge unless it exists (a concurrent creator winning is fine) and sets it up. */
export async function ensureBridge(ops: NetOps, name: string, mtu: number | undefined): Promise<Link> {
  try {
    await ops.ip(['link', 'add', 'name', name, ...(mtu ? ['mtu', String(mtu)] : []), 'type', 'bridge']);
  } catch (err) {
    if (!isExists(err)) throw err;
  }
  const link = await getLink(ops, name);
  if (!link) throw new Error(`bridge ${name} vanished after creation`);
  if (link.linkinfo?.info_kind !== 'bridge') throw new Error(`${name} exists and is not a bridge`);
  await ops.ip(['link', 'set', 'dev', name, 'up']);
  return link;
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

/** Adds `cidr` to `dev`; an address already there is fine. */
export async function ensureAddress(ops: NetOps, dev: string, cidr: string, netns?: string): Promise<void> {
  try {
    await ops.ip(['addr', 'add', cidr, 'dev', dev], netns);
  } catch (err) {
    if (!isExists(err)) throw err;
  }
}

export async function addresses(ops: NetOps, dev: string, netns?: string): Promise<LinkAddress[]> {
  const [link] = JSON.parse(await ops.ip(['-j', 'addr', 'show', 'dev', dev], netns)) as { addr_info?: LinkAddress[] }[];
  return link?.addr_info ?? [];
}

/** Adds a route via `gw` on `dev`; an identical route already there is fine. */
export async function ensureRoute(ops: NetOps, dst: string, gw: string | undefined, dev: string, netns?: string): Promise<void> {
  try {
    await ops.ip(['route', 'add', dst, ...(gw ? ['via', gw] : []), 'dev', dev], netns);
  } catch (err) {
    if (!isExists(err)) throw err;
  }
}

export async function routes(ops: NetOps, netns?: string): Promise<LinkRoute[]> {
  return JSON.parse(await ops.ip(['-j', 'route', 'show'], netns)) as LinkRoute[];
}
