/**
 * The tug-bridge executable (composition root): runs the bridge plugin (builtin.ts: the real OS
 * boundary, IPAM delegation to the executable named by ipam.type, the firewall) on this process's
 * CNI protocol: stdin, stdout, environment.
 */
import { tugBridge } from '../builtin.js';
import { readAll, runPlugin } from '../skel.js';

const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
const { stdout, exitCode } = await runPlugin(tugBridge()(env), env, await readAll(process.stdin));
process.stdout.write(stdout);
process.exitCode = exitCode;
