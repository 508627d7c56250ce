/**
 * The tug-bridge executable (composition root): wires the real OS boundary, IPAM delegation and the
 * firewall into the bridge plugin and speaks the CNI protocol on stdin/stdout/environment.
 */
import { bridgePlugin } from '../bridge/bridge.js';
import { Firewall } from '../bridge/firewall.js';
import { createNetOps } from '../bridge/netops.js';
import { createIpamDelegate } from '../delegate.js';
import { readAll, runPlugin } from '../skel.js';

/** Serialises firewall edits of all tug-bridge runs on this host. */
const FIREWALL_LOCK = '/run/tug-cni/firewall.lock';

const ops = createNetOps();
const plugin = bridgePlugin({ ops, ipam: createIpamDelegate(process.env), firewall: new Firewall(ops, FIREWALL_LOCK) });
const { stdout, exitCode } = await runPlugin(plugin, process.env, await readAll(process.stdin));
process.stdout.write(stdout);
process.exitCode = exitCode;
