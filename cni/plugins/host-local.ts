/**
 * The tug-host-local executable (composition root): IPAM over files on this host. Speaks the CNI
 * protocol on stdin/stdout/environment; see ipam/host-local.ts for what it does.
 */
import { hostLocal } from '../ipam/host-local.js';
import { readAll, runPlugin } from '../skel.js';

const { stdout, exitCode } = await runPlugin(hostLocal, process.env, await readAll(process.stdin));
process.stdout.write(stdout);
process.exitCode = exitCode;
