/**
 * `tug reset`: removes from this host what a node agent put there, so that a node taken out of
 * the cluster (or uninstalled) leaves nothing behind: its pods' containers (sandboxes and the
 * containers in them), the service proxy's iptables chains, the pod network's firewall rules,
 * the routes to other nodes' pods, and the pod bridge. Run it with the agent stopped; every step
 * is idempotent and a step that fails does not stop the others (all failures are reported at the end).
 * The agent's data directory is left to the caller (deploy/uninstall.sh removes it on request).
 */
import type { Logger } from 'pino';
import { createNetOps } from '../cni/bridge/netops.js';
import { deleteLink } from '../cni/bridge/links.js';
import { FIREWALL_LOCK } from '../cni/builtin.js';
import { Firewall } from '../cni/bridge/firewall.js';
import { createProxyHost } from '../proxy/host.js';
import { createRuleApplier } from '../proxy/iptables.js';
import { reconcileRoutes } from './network/host-gw.js';
import { createDockerRuntime } from './runtime/docker/index.js';

export interface ResetOptions {
  /** The agent's pod bridge (also the name of its CNI network). */
  bridge: string;
  /** Prefix of the service proxy's chains (default TUG). */
  proxyChainPrefix?: string;
  /** Prefix of the runtime's container labels, as the agent ran with. */
  runtimeLabelPrefix?: string;
  dockerSocket?: string;
  /** Leave the pods' containers running (only the network state goes). */
  keepContainers?: boolean;
  logger: Logger;
}

/** Runs every step; rejects at the end with the steps that failed. */
export async function resetNode(opts: ResetOptions): Promise<void> {
  const log = opts.logger.child({ component: 'reset' });
  const ops = createNetOps();
  const failed: string[] = [];
  const step = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
      log.info({ step: what }, 'removed');
    } catch (err) {
      failed.push(`${what}: ${(err as Error).message}`);
      log.error({ step: what, err: (err as Error).message }, 'could not remove');
    }
  };

  if (!opts.keepContainers) {
    await step('pod containers', async () => {
      const runtime = await createDockerRuntime({ logger: log, socketPath: opts.dockerSocket, labelPrefix: opts.runtimeLabelPrefix });
      for (const c of await runtime.listContainers()) await runtime.removeContainer(c.id);
      for (const s of await runtime.listPodSandboxes()) {
        await runtime.stopPodSandbox(s.id);
        await runtime.removePodSandbox(s.id);
      }
    });
  }
  await step('service proxy chains', () => createRuleApplier({ host: createProxyHost(), prefix: opts.proxyChainPrefix }).cleanup());
  await step('routes to other nodes', () => reconcileRoutes(ops, [], ''));
  if (!opts.keepContainers) {
    await step('pod network firewall rules', () => new Firewall(ops, FIREWALL_LOCK).removeIfUnused(opts.bridge, opts.bridge));
    await step('pod bridge', () => deleteLink(ops, opts.bridge));
  }
  if (failed.length) throw new Error(`reset left things behind (run it again, or remove them by hand): ${failed.join('; ')}`);
}
