/**
 * Joining as an administrator and a new node do it: `tug token create --print-join-command` on the
 * control plane, then a real `tug agent` with the printed flags pins the CA, exchanges the bootstrap
 * token for its own node credential and runs pods. The node credential may change only its own
 * Node, Lease and pods (403 with upstream's Status otherwise); a wrong CA hash and unknown or
 * expired bootstrap tokens are refused; a restarted agent needs no bootstrap token.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RESOURCES } from '../control-plane/api/registry.js';
import { ApiClient, ApiError } from '../control-plane/client/api-client.js';
import { caCertHash } from '../control-plane/client/certs.js';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import { kubectl, kubectlOk } from './harness/kubectl.js';
import { startTugAgent, type TugAgent } from './harness/tug-agent.js';
import { runTug } from './harness/tug-cli.js';
import { startTugServer, type TugServer } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

const IMAGE = 'tugboat/busybox:test';
const pods = RESOURCES.find((r) => r.plural === 'pods' && r.group === '')!;
const nodes = RESOURCES.find((r) => r.plural === 'nodes')!;
const secrets = RESOURCES.find((r) => r.plural === 'secrets')!;

let server: TugServer;
let agent: TugAgent;
let scratch: string;
let joinArgs: string[];
let bootstrapToken: string;
/** A client with the credential the agent stored. */
let nodeClient: ApiClient;
const k = (...args: string[]) => kubectlOk(server.kubeconfig, args);

/** `tug agent` as a joining node runs it, with flags that keep it off this host's other agents; only the join happens before it fails. */
function joiningAgent(credentialArgs: string[]) {
  return runTug(['agent', ...credentialArgs, '--node-name', 'never-joins', '--node-ip', '127.0.0.1', '--data-dir', path.join(scratch, `agent-${Math.random().toString(36).slice(2)}`)]);
}

/** An anonymous or bearer GET/POST against the server, certificate checked with its CA. */
function call(method: string, pathname: string, token?: string, body?: unknown): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      new URL(pathname, server.url),
      { method, ca: server.caCertPem, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(data ? { 'Content-Type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected the API to refuse, got ${err === undefined ? 'success' : String(err)}`);
  return err;
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'tug-join-e2e-'));
  await buildBusyboxImage(new Docker(), IMAGE);
  server = await startTugServer();
}, 180_000);

afterAll(async () => {
  nodeClient?.close();
  await agent?.stop();
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
}, 180_000);

describe('joining with a bootstrap token', () => {
  it('tug token create --print-join-command prints the agent command with the server and the CA pin', async () => {
    const r = await runTug(['token', 'create', '--print-join-command', '--description', 'e2e join', '--kubeconfig', server.kubeconfig]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = /^tug agent (--server (\S+) --token ([a-z0-9]{6}\.[a-z0-9]{32}) --ca-cert-hash (sha256:[0-9a-f]{64}))\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![2]).toBe(server.url);
    expect(m![4]).toBe(caCertHash(server.caCertPem));
    joinArgs = m![1]!.split(' ');
    bootstrapToken = m![3]!;
    const list = await runTug(['token', 'list', '--kubeconfig', server.kubeconfig]);
    const id = bootstrapToken.split('.')[0]!;
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+\\S+Z\\s+system:bootstrap:${id}\\s+system:bootstrappers\\s+e2e join$`, 'm'));
    expect(list.stdout).not.toContain(bootstrapToken.split('.')[1]);
  });

  it('cluster-info answers without credentials; nothing else does', async () => {
    const info = await call('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info');
    expect(info.code).toBe(200);
    expect(info.body.data.kubeconfig).toContain(Buffer.from(server.caCertPem).toString('base64'));
    expect((await call('GET', '/api/v1/namespaces/kube-public/configmaps')).code).toBe(401);
    expect((await call('GET', '/api/v1/namespaces/kube-system/configmaps/cluster-info')).code).toBe(401);
    expect((await call('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info', 'abcdef.0123456789abcdefghijklmnopqrstuv')).code).toBe(401);
  });

  it('the bootstrap token may do nothing but request a node credential', async () => {
    const r = await call('GET', '/api/v1/pods', bootstrapToken);
    expect(r.code).toBe(403);
    expect(r.body.message).toMatch(/^pods is forbidden: User "system:bootstrap:[a-z0-9]{6}" cannot list resource "pods" in API group "" at the cluster scope: bootstrap tokens may only request a node credential/);
  });

  it('an agent joins with the printed flags, stores its own credential and runs a pod', async () => {
    agent = await startTugAgent(server, { join: joinArgs });
    await waitFor(async () => /\sReady\s/.test(await k('get', 'node', agent.nodeName)), 'node Ready', 60_000);
    const token = (await readFile(path.join(agent.stateDir, 'node.token'), 'utf8')).trim();
    expect((await stat(path.join(agent.stateDir, 'node.token'))).mode & 0o777).toBe(0o600);
    expect(await readFile(path.join(agent.stateDir, 'ca.crt'), 'utf8')).toBe(server.caCertPem);
    expect(token).not.toBe(bootstrapToken);
    const admin = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
    const review = await admin.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
    admin.close();
    expect(review.status.user).toMatchObject({ username: `system:node:${agent.nodeName}`, groups: expect.arrayContaining(['system:nodes']) });
    expect(agent.logs()).not.toContain(token);
    expect(agent.logs()).not.toContain(bootstrapToken);
    nodeClient = new ApiClient({ server: server.url, token, caCertPem: server.caCertPem });

    await k('run', 'joined', `--image=${IMAGE}`, '--restart=Never', '--', 'sleep', '3600');
    await waitFor(async () => (await k('get', 'pod', 'joined', '-o', 'jsonpath={.status.phase} {.spec.nodeName}')) === `Running ${agent.nodeName}`, 'pod running on the joined node', 90_000);
  }, 180_000);
});

describe('a node credential', () => {
  beforeAll(async () => {
    // A pod bound to a node that is not this one (no agent runs it).
    await kubectlOk(server.kubeconfig, ['apply', '-f', '-'], {
      input: stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'elsewhere', namespace: 'default' }, spec: { nodeName: 'other-node', containers: [{ name: 'c', image: IMAGE }] } }),
    });
  });

  it("cannot patch the status of another node's pod: 403 with upstream's Status", async () => {
    const err = await refusal(nodeClient.patch(pods, 'default', 'elsewhere', 'merge', { status: { phase: 'Failed' } }, { subresource: 'status' }));
    expect(err.code).toBe(403);
    expect(err.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `pods "elsewhere" is forbidden: User "system:node:${agent.nodeName}" cannot patch resource "pods/status" in API group "" in the namespace "default": no relationship found between node '${agent.nodeName}' and this object`,
      reason: 'Forbidden',
      details: { name: 'elsewhere', kind: 'pods' },
      code: 403,
    });
    expect((await k('get', 'pod', 'elsewhere', '-o', 'jsonpath={.status.phase}'))).toBe('Pending');
  });

  it("cannot patch or delete another node's pod, nor its own pod's spec", async () => {
    expect((await refusal(nodeClient.patch(pods, 'default', 'elsewhere', 'merge', { metadata: { labels: { x: 'y' } } }))).code).toBe(403);
    expect((await refusal(nodeClient.delete(pods, 'default', 'elsewhere'))).code).toBe(403);
    expect((await refusal(nodeClient.patch(pods, 'default', 'joined', 'merge', { metadata: { labels: { x: 'y' } } }))).code).toBe(403);
  });

  it('kubectl with the node credential shows the refusal as against Kubernetes', async () => {
    const kubeconfig = path.join(scratch, 'node.kubeconfig');
    const token = (await readFile(path.join(agent.stateDir, 'node.token'), 'utf8')).trim();
    await writeFile(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: server.url, 'certificate-authority-data': Buffer.from(server.caCertPem).toString('base64') } }],
        users: [{ name: 'node', user: { token } }],
        contexts: [{ name: 'node', context: { cluster: 'c', user: 'node' } }],
        'current-context': 'node',
      }),
      { mode: 0o600 },
    );
    const r = await kubectl(kubeconfig, ['delete', 'pod', 'elsewhere', '--wait=false']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Error from server (Forbidden): pods "elsewhere" is forbidden: User "system:node:${agent.nodeName}" cannot delete resource "pods" in API group "" in the namespace "default"`);
    expect((await kubectl(kubeconfig, ['get', 'pods', '-A'])).code).toBe(0);
    expect((await kubectl(kubeconfig, ['auth', 'can-i', 'delete', 'pod/elsewhere'])).stdout.trim()).toBe(`no - no relationship found between node '${agent.nodeName}' and this object`);
    expect((await kubectl(kubeconfig, ['auth', 'can-i', 'delete', 'pod/joined'])).stdout.trim()).toBe('yes');
    expect((await kubectl(kubeconfig, ['auth', 'can-i', 'patch', `node/${agent.nodeName}`])).stdout.trim()).toBe('yes');
    expect((await kubectl(kubeconfig, ['auth', 'can-i', 'create', 'deployments'])).stdout.trim()).toMatch(/^no - node '.*' may only change its own Node and Lease/);
  });

  it('cannot create a Node of another name, nor read the cluster CA key', async () => {
    const err = await refusal(nodeClient.create(nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'impostor' } }));
    expect(err.code).toBe(403);
    expect(err.message).toBe(`nodes "impostor" is forbidden: User "system:node:${agent.nodeName}" cannot create resource "nodes" in API group "" at the cluster scope: node "${agent.nodeName}" is not allowed to modify node "impostor"`);
    expect((await refusal(nodeClient.get(secrets, 'kube-system', 'tugboat-ca'))).code).toBe(403);
    expect((await refusal(nodeClient.list(secrets, 'kube-system'))).code).toBe(403);
  });

  it('cannot exec into pods', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/pods/joined/exec?command=true&stdout=1', (await readFile(path.join(agent.stateDir, 'node.token'), 'utf8')).trim());
    expect(r.code).toBe(403);
  });

  it('is all a restarted agent needs: the bootstrap token may be gone', async () => {
    const del = await runTug(['token', 'delete', bootstrapToken.split('.')[0]!, '--kubeconfig', server.kubeconfig]);
    expect(del.code, del.stderr).toBe(0);
    await agent.restart();
    expect(agent.logs()).toContain('using the stored node credential');
    await waitFor(async () => /\sReady\s/.test(await k('get', 'node', agent.nodeName)), 'node Ready after restart', 60_000);
    expect(await k('get', 'pod', 'joined', '-o', 'jsonpath={.status.phase} {.status.containerStatuses[0].restartCount}')).toBe('Running 0');
  }, 120_000);

  it('is enough for all the agent writes: events, and deleting its pod once stopped; nothing it asked was refused', async () => {
    expect(await k('get', 'events', '--field-selector', 'involvedObject.name=joined', '-o', 'jsonpath={.items[*].reason}')).toMatch(/Started/);
    await k('delete', 'pod', 'joined', '--grace-period=1', '--wait=false');
    await waitFor(async () => !(await k('get', 'pods', '-o', 'name')).includes('pod/joined'), 'the agent deleted its terminated pod', 60_000);
    expect(agent.logs()).not.toMatch(/forbidden/i);
  }, 90_000);
});

describe('refused joins', () => {
  it('a wrong --ca-cert-hash is refused with both hashes named', async () => {
    const created = await runTug(['token', 'create', '--kubeconfig', server.kubeconfig]);
    const wrong = `sha256:${'0'.repeat(64)}`;
    const r = await joiningAgent(['--server', server.url, '--token', created.stdout.trim(), '--ca-cert-hash', wrong]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the cluster CA served by ${server.url} has public key hash ${caCertHash(server.caCertPem)}, but --ca-cert-hash pins ${wrong}: refusing to use it`);
  });

  it('an unknown bootstrap token is refused (401)', async () => {
    const unknown = 'zzzzzz.0123456789abcdefghijklmnopqrstuv';
    const r = await joiningAgent(['--server', server.url, '--token', unknown, '--ca-cert-hash', caCertHash(server.caCertPem)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the bootstrap token was refused (401 Unauthorized): it is unknown or has expired');
    const direct = await call('POST', '/apis/tugboat.dev/v1/nodecredentialrequests', unknown, { apiVersion: 'tugboat.dev/v1', kind: 'NodeCredentialRequest', spec: { nodeName: 'x' } });
    expect(direct).toMatchObject({ code: 401, body: { kind: 'Status', reason: 'Unauthorized' } });
  });

  it('an expired bootstrap token is refused (401)', async () => {
    const created = await runTug(['token', 'create', '--ttl', '1s', '--kubeconfig', server.kubeconfig]);
    expect(created.code, created.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const r = await joiningAgent(['--server', server.url, '--token', created.stdout.trim(), '--ca-cert-hash', caCertHash(server.caCertPem)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the bootstrap token was refused (401 Unauthorized)');
  });
});
