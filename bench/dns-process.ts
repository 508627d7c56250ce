/**
 * The built cluster DNS server (dist/proxy/dns) in a process of its own, against a running
 * `tug server`, as a node agent runs it: a node process loads the built modules (by path, so
 * bench/ keeps importing only api and client), starts the server on a free loopback port with no
 * upstream resolver (the benchmark asks cluster names only) and reports the port once its
 * informers have listed. Its stop is registered with the Cleanup.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Cleanup } from './cleanup.js';
import { REPO, type TugServerProcess } from './processes.js';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const READY = 'dns process ready on port';

/** Runs in the child: argv = [server URL, token, CA PEM, dist URL]. */
const SCRIPT = `
const [server, token, caCertPem, dist] = process.argv.slice(1);
const { pino } = await import('pino');
const { ApiClient } = await import(dist + '/control-plane/client/api-client.js');
const { startClusterDNS } = await import(dist + '/proxy/dns/index.js');
const client = new ApiClient({ server, token, caCertPem, userAgent: 'tug-dns-bench' });
const dns = await startClusterDNS({ client, listen: [{ address: '127.0.0.1', port: 0 }], upstreams: [], logger: pino({ level: 'error' }) });
await dns.waitForSync();
console.log('${READY} ' + dns.addresses[0].port);
process.once('SIGTERM', async () => {
  await dns.stop();
  client.close();
  process.exit(0);
});
`;

export interface DnsProcess {
  pid: number;
  port: number;
  /** Spawn → informers listed, in ms. */
  startMs: number;
  /** The last 20 kB it wrote. */
  output(): string;
}

/** Spawns the DNS server process; resolves once it answers for the cluster as it was at its start. `nodeArgs` go to node (e.g. --cpu-prof). */
export async function startDnsProcess(cleanup: Cleanup, server: TugServerProcess, nodeArgs: string[] = []): Promise<DnsProcess> {
  const dist = path.join(REPO, 'dist');
  if (!existsSync(path.join(dist, 'proxy/dns/index.js'))) throw new Error(`${dist} has no proxy/dns: run npm run build first`);
  const args = [...nodeArgs, '--input-type=module', '-e', SCRIPT, server.url, server.adminToken, server.caCertPem, pathToFileURL(dist).href];
  const started = performance.now();
  const proc = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  cleanup.add('stop the DNS process', async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  });
  if (proc.pid === undefined) throw new Error('the DNS process did not start');
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const m = new RegExp(`${READY} (\\d+)`).exec(output);
    if (m) return { pid: proc.pid, port: Number(m[1]), startMs: performance.now() - started, output: () => output };
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the DNS process exited (${proc.exitCode ?? proc.signalCode}): ${output}`);
    if (Date.now() > deadline) throw new Error(`the DNS process was not ready within ${START_TIMEOUT_MS} ms: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
