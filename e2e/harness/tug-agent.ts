/**
 * Test harness: a real `tug agent` process (the built binary) joined to a harness server, with its
 * own node name, bridge, streaming port, data dir, container-label prefix and proxy chain prefix, so
 * that test runs never meet each other's pods or rules. stop() deletes every pod of the node through
 * the API, waits for the agent to remove their containers, stops the agent, and removes what it left
 * on the host with `tug reset` (containers, service chains, pod network rules, bridge) and its data dir.
 *
 * By default the agent uses the server's admin token (--token T --ca-cert FILE); with `join` it gets
 * the flags `tug token create --print-join-command` printed (--server URL --token T --ca-cert-hash H)
 * instead, joins as a node does, and keeps its node credential in `stateDir` (ca.crt, node.token).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RESOURCES } from '../../control-plane/api/registry.js';
import { ApiClient } from '../../control-plane/client/api-client.js';
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
  /** The agent's --data-dir (where a joined agent keeps ca.crt and node.token). */
  stateDir: string;
  logs(): string;
  /** SIGKILL (hard) or SIGTERM the agent and start it again with the same identity. */
  restart(opts?: { hard?: boolean }): Promise<void>;
  /** SIGKILLs the agent and leaves it down, its pods running: a failed node; restart() brings it back. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface TugAgentOptions {
  nodeName?: string;
  /** Join with these flags (those after `tug agent` in a printed join command) instead of the admin token. */
  join?: string[];
}

export async function startTugAgent(server: TugServer, opts: TugAgentOptions = {}): Promise<TugAgent> {
  const id = randomBytes(3).toString('hex');
  const nodeName = opts.nodeName ?? `node-${id}`;
  const bridge = `tugt${id}`;
  const labelPrefix = `t${id}.`;
  const chainPrefix = `T${id.toUpperCase()}`;
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tug-agent-'));
  const stateDir = path.join(dataDir, 'state');
  const caFile = path.join(dataDir, 'ca.crt');
  await writeFile(caFile, server.caCertPem);
  const credentialArgs = opts.join ?? ['--server', server.url, '--token', server.token, '--ca-cert', caFile];
  const client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
  let output = '';
  let proc: ChildProcess | undefined;

  const launch = async () => {
    proc = spawn(
      process.execPath,
      [TUG_BIN, 'agent', ...credentialArgs, '--node-name', nodeName, '--node-ip', '127.0.0.1',
        '--agent-port', String(port), '--bridge', bridge, '--data-dir', stateDir, '--runtime-label-prefix', labelPrefix,
        '--proxy-chain-prefix', chainPrefix, '--log-level', 'info'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // What this launch printed: a restart waits for its own "agent running", not the previous one's.
    let launched = '';
    const collect = (c: Buffer) => {
      output = (output + c.toString()).slice(-50_000);
      if (!launched.includes('"agent running"')) launched += c.toString();
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
        return launched.includes('"agent running"');
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

  /** Stops the process and removes everything of this agent from the host. */
  const removeAll = async () => {
    await kill('SIGTERM');
    client.close();
    // Its pods' containers, service chains, pod network rules and bridge, as a user removes a node.
    execFileSync(process.execPath, [TUG_BIN, 'reset', '--bridge', bridge, '--proxy-chain-prefix', chainPrefix, '--runtime-label-prefix', labelPrefix, '--log-level', 'warn'], { stdio: 'ignore' });
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await launch();
  } catch (err) {
    await removeAll();
    throw err;
  }
  return {
    nodeName,
    bridge,
    labelPrefix,
    chainPrefix,
    port,
    dataDir,
    stateDir,
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
        await removeAll();
      }
    },
  };
}
