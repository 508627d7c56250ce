/**
 * The built cluster DNS server (dist/proxy/dns) in a process of its own, against a running
 * `tug server`, as a node agent runs it: a node process loads the built modules (by path, so
 * bench/ keeps importing only api and client), starts the server on a free loopback port with no
 * upstream resolver (the benchmark asks cluster names only) and reports the port once its
 * informers have listed. Its stop is registered with the Cleanup.
 */
import { performance } from 'node:perf_hooks';
import type { Cleanup } from './cleanup.js';
import { launchBuilt, waitReady, type TugServerProcess } from './processes.js';

const START_TIMEOUT_MS = 60_000;
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
  const started = performance.now();
  const { proc, output } = launchBuilt(cleanup, 'the DNS process', server, SCRIPT, { needs: 'proxy/dns/index.js', nodeArgs });
  let port = NaN;
  await waitReady(
    'the DNS process',
    proc,
    output,
    () => {
      const m = new RegExp(`${READY} (\\d+)`).exec(output());
      if (m) port = Number(m[1]);
      return m !== null;
    },
    { timeoutMs: START_TIMEOUT_MS, pollMs: 5 },
  );
  return { pid: proc.pid!, port, startMs: performance.now() - started, output };
}
