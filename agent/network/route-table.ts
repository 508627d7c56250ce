/**
 * host-gw's side of the OS: reading the host's routes and applying a RoutePlan, with iproute2
 * through the bridge plugin's NetOps, in the host's network namespace or in the one at `netns`.
 */
import { isMissing, type NetOps } from '../../cni/bridge/netops.js';
import { ROUTE_PROTO, type HostRoutes, type RouteEntry, type RoutePlan } from './route-plan.js';

async function show(ops: NetOps, filter: string[], netns?: string): Promise<RouteEntry[]> {
  return JSON.parse(await ops.ip(['-N', '-j', 'route', 'show', ...filter], netns)) as RouteEntry[];
}

/** The main table and this host's addresses (IPv4). Rejects when `ip` fails. */
export async function readHostRoutes(ops: NetOps, netns?: string): Promise<HostRoutes> {
  const [main, local] = await Promise.all([show(ops, ['table', 'main'], netns), show(ops, ['table', 'local', 'type', 'local'], netns)]);
  return { main, local };
}

/**
 * Makes the plan's changes in one `ip` run, each whether or not another failed: adds (which fail
 * rather than overwrite a route that appeared meanwhile), replaces of owned routes, deletes of
 * owned routes (only routes of protocol ROUTE_PROTO match; one already gone is fine). Rejects with
 * the first failure. Idempotent once it succeeds.
 */
export async function applyRoutePlan(ops: NetOps, plan: RoutePlan, netns?: string): Promise<void> {
  const proto = ['proto', ROUTE_PROTO];
  const commands = [
    ...plan.add.map((r) => ['route', 'add', r.dst, 'via', r.via, ...proto]),
    ...plan.replace.map((r) => ['route', 'replace', r.dst, 'via', r.via, ...proto]),
    ...plan.remove.map((dst) => ['route', 'del', dst, ...proto]),
  ];
  if (commands.length === 0) return;
  const { failures } = await ops.ipBatch(commands, netns);
  const fatal = failures.find((f) => !(commands[f.index]![1] === 'del' && isMissing(f.error)));
  if (fatal) throw fatal.error;
}
