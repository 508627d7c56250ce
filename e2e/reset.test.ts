/**
 * `tug reset` on a node whose agent ran pods behind a Service: afterwards nothing of the agent is
 * left on the host: no container of its pods, no chain of its service proxy, no firewall rule of
 * its pod network, no bridge.
 */
import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import { kubectlOk } from './harness/kubectl.js';
import { startTugAgent, type TugAgent } from './harness/tug-agent.js';
import { TUG_BIN, startTugServer, type TugServer } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

const IMAGE = 'tugboat/busybox:test';
let server: TugServer;
let agent: TugAgent;

beforeAll(async () => {
  await buildBusyboxImage(new Docker(), IMAGE);
  server = await startTugServer();
  agent = await startTugAgent(server);
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
}, 180_000);

const containers = () => execFileSync('docker', ['ps', '-aq', '--filter', `label=${agent.labelPrefix}io.tugboat.kind`], { encoding: 'utf8' }).trim();
const rules = () => execFileSync('iptables-save', { encoding: 'utf8' });
const bridgeExists = () => {
  try {
    execFileSync('ip', ['link', 'show', agent.bridge], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('tug reset', () => {
  it('removes the pods, the proxy chains, the pod network rules and the bridge the agent left', async () => {
    await kubectlOk(server.kubeconfig, ['run', 'web', '--labels=app=web', `--image=${IMAGE}`, '--command', '--', 'sleep', '3600']);
    await kubectlOk(server.kubeconfig, ['expose', 'pod', 'web', '--port=80']);
    await waitFor(async () => (await kubectlOk(server.kubeconfig, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.phase}'])) === 'Running', 'pod Running', 60_000);
    await waitFor(() => rules().includes(`:${agent.chainPrefix}-SVC-`), 'service chains', 15_000);
    // A plain stop keeps everything: pods and Services go on working without the agent.
    await agent.kill();
    expect(containers()).not.toBe('');
    expect(bridgeExists()).toBe(true);
    expect(rules()).toContain(`tug-cni:${agent.bridge}`);

    execFileSync(process.execPath, [TUG_BIN, 'reset', '--bridge', agent.bridge, '--proxy-chain-prefix', agent.chainPrefix, '--runtime-label-prefix', agent.labelPrefix], { stdio: 'pipe' });
    expect(containers()).toBe('');
    expect(bridgeExists()).toBe(false);
    const after = rules();
    expect(after).not.toContain(`${agent.chainPrefix}-`);
    expect(after).not.toContain(`tug-cni:${agent.bridge}`);
    // A second reset finds nothing to do and succeeds.
    execFileSync(process.execPath, [TUG_BIN, 'reset', '--bridge', agent.bridge, '--proxy-chain-prefix', agent.chainPrefix, '--runtime-label-prefix', agent.labelPrefix], { stdio: 'pipe' });
    await agent.restart();
  }, 120_000);
});
