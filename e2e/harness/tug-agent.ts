/**
 * Test harness: a real `tug agent` process (the built binary) joined to a harness server, with its
 * own node name, bridge, streaming port, data dir, container-label prefix and proxy chain prefix, so
 * that test runs never meet each other's pods or rules. stop() deletes every pod of the node through
 * the API, waits for the agent to remove their containers, stops the agent, and removes its bridge,
 * its service proxy chains and its data dir.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RESOURCES } from '../../control-plane/api/registry.js';
import { ApiClient } from '../../control-plane/client/api-client.js';
import { createProxyHost } from '../../proxy/host.js';
import { createRuleApplier } from '../../proxy/iptables.js';
import { freePort, TUG_BIN, type TugServer } from './tug-server.js';
import { waitFor } from './wait.js';

const pods = RESOURCES.find((r) => r.plural === 'pods' && r.group === '')!;
const nodes = RESOURCES.find((r) => r.plural === 'nodes')!;

export interface TugAgent {
  nodeName: string;
  bridge: string;
  labelPrefix: string;
  /** Prefix of its service proxy's iptables chains. */
  chainPrefix: string;
  port: number;
  dataDir: string;
  logs(): string;
  /** SIGKILL (hard) or SIGTERM the agent and start it again with the same identity. */
  restart(opts?: { hard?: boolean }): Promise<void>;
  /** SIGKILLs the agent and leaves it down, its pods running: a failed node; restart() brings it back. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTugAgent(server: TugServer, opts: { nodeName?: string } = {}): Promise<TugAgent> {
  const id = randomBytes(3).toString('hex');
  const nodeName = opts.nodeName ?? `node-${id}`;
  const bridge = `tugt${id}`;
  const labelPrefix = `t${id}.`;
  const chainPrefix = `T${id.toUpperCase()}`;
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tug-agent-'));
  const caFile = path.join(dataDir, 'ca.crt');
  await writeFile(caFile, server.caCertPem);
  const client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
  let output = '';
  let proc: ChildProcess | undefined;

  const launch = async () => {
    proc = spawn(
      process.execPath,
      [TUG_BIN, 'agent', '--server', server.url, '--token', server.token, '--ca-cert', caFile, '--node-name', nodeName, '--node-ip', '127.0.0.1',
        '--agent-port', String(port), '--bridge', bridge, '--data-dir', path.join(dataDir, 'state'), '--runtime-label-prefix', labelPrefix,
        '--proxy-chain-prefix', chainPrefix, '--log-level', 'info'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const collect = (c: Buffer) => {
      output = (output + c.toString()).slice(-50_000);
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    const p = proc;
    const killOnExit = () => p.kill('SIGKILL');
    process.once('exit', killOnExit);
    p.once('exit', () => process.removeListener('exit', killOnExit));
    await waitFor(
      async () => {
        if (p.exitCode !== null) throw new Error(`tug agent exited (${p.exitCode}): ${output}`);
        return output.includes('"agent running"');
      },
      'agent running',
      60_000,
    );
  };
  const kill = async (signal: NodeJS.Signals) => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  };

  await launch();
  return {
    nodeName,
    bridge,
    labelPrefix,
    chainPrefix,
    port,
    dataDir,
    logs: () => output,
    restart: async ({ hard } = {}) => {
      await kill(hard ? 'SIGKILL' : 'SIGTERM');
      await launch();
    },
    kill: () => kill('SIGKILL'),
    stop: async () => {
      try {
        const list = await client.list(pods, undefined, { fieldSelector: `spec.nodeName=${nodeName}` });
        for (const p of list.items) await client.delete(pods, p.metadata.namespace, p.metadata.name, { gracePeriodSeconds: 0 }).catch(() => {});
        await waitFor(async () => (await client.list(pods, undefined, { fieldSelector: `spec.nodeName=${nodeName}` })).items.length === 0, 'pods gone', 60_000).catch(() => {});
        await client.delete(nodes, undefined, nodeName).catch(() => {});
      } finally {
        await kill('SIGTERM');
        client.close();
        removeLeftovers(labelPrefix, bridge);
        await createRuleApplier({ host: createProxyHost(), prefix: chainPrefix }).cleanup();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Containers this agent's runtime labelled, and its bridge: gone even if the agent failed to clean up. */
function removeLeftovers(labelPrefix: string, bridge: string): void {
  try {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=${labelPrefix}io.tugboat.kind`], { encoding: 'utf8' }).split('\n').filter(Boolean);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  } catch {
    /* docker unavailable: nothing to remove */
  }
  try {
    execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  } catch {
    /* no such bridge */
  }
}
