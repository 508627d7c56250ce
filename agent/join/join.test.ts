import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterInfoConfigMap } from '../../control-plane/api/cluster-info.js';
import { caCertHash, createCA, createLeafCert, type KeyPairPem } from '../../control-plane/client/certs.js';
import { obtainNodeCredential } from './join.js';

const BOOTSTRAP = 'abc123.0123456789abcdefghijklmnopqrstuv';
const NODE_TOKEN = 'def456.vutsrqponmlkjihgfedcba9876543210';

/** A stand-in API server over real TLS: cluster-info for anyone, a node credential for BOOTSTRAP. */
let ca: KeyPairPem;
let server: https.Server;
let url: string;
let requests: { path: string; authorization?: string; body: string }[] = [];
let dataDir: string;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  ca = await createCA('join-test-ca');
  const serving = await createLeafCert(ca, { commonName: 'api', dnsNames: [], ips: ['127.0.0.1'] });
  server = https.createServer({ key: serving.keyPem, cert: serving.certPem }, (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ path: req.url!, authorization: req.headers.authorization, body });
      res.setHeader('Content-Type', 'application/json');
      if (req.method === 'GET' && req.url === '/api/v1/namespaces/kube-public/configmaps/cluster-info') {
        return res.end(JSON.stringify(clusterInfoConfigMap({ server: url, caCertPem: ca.certPem })));
      }
      if (req.method === 'POST' && req.url === '/apis/tugboat.dev/v1/nodecredentialrequests') {
        if (req.headers.authorization !== `Bearer ${BOOTSTRAP}`) {
          res.statusCode = 401;
          return res.end(JSON.stringify({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }));
        }
        res.statusCode = 201;
        return res.end(JSON.stringify({ ...JSON.parse(body), status: { user: 'system:node:n1', token: NODE_TOKEN } }));
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(async () => {
  requests = [];
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tug-join-'));
});

afterEach(() => rm(dataDir, { recursive: true, force: true }));

const join = (more: { bootstrapToken?: string; caCertHash?: string } = {}) => obtainNodeCredential({ server: url, nodeName: 'n1', dataDir: path.join(dataDir, 'agent'), logger, ...more });

describe('obtainNodeCredential', () => {
  it('checks the pin, exchanges the bootstrap token and stores the CA and the credential (0600)', async () => {
    const credential = await join({ bootstrapToken: BOOTSTRAP, caCertHash: caCertHash(ca.certPem) });
    expect(credential).toEqual({ token: NODE_TOKEN, caCertPem: ca.certPem });
    const exchange = requests.find((r) => r.path.endsWith('/nodecredentialrequests'))!;
    expect(JSON.parse(exchange.body)).toEqual({ apiVersion: 'tugboat.dev/v1', kind: 'NodeCredentialRequest', spec: { nodeName: 'n1' } });
    expect(requests.filter((r) => r.path.endsWith('/cluster-info')).every((r) => r.authorization === undefined)).toBe(true);
    expect((await readFile(path.join(dataDir, 'agent', 'node.token'), 'utf8')).trim()).toBe(NODE_TOKEN);
    expect((await stat(path.join(dataDir, 'agent', 'node.token'))).mode & 0o777).toBe(0o600);
    expect(await readFile(path.join(dataDir, 'agent', 'ca.crt'), 'utf8')).toBe(ca.certPem);
  });

  it('reuses the stored credential on restart, without a bootstrap token and without asking the server', async () => {
    await join({ bootstrapToken: BOOTSTRAP, caCertHash: caCertHash(ca.certPem) });
    requests = [];
    expect(await join()).toEqual({ token: NODE_TOKEN, caCertPem: ca.certPem });
    expect(requests).toEqual([]);
  });

  it('refuses a CA that does not match the pin, naming both hashes, and stores nothing', async () => {
    const other = caCertHash((await createCA('other')).certPem);
    await expect(join({ bootstrapToken: BOOTSTRAP, caCertHash: other })).rejects.toThrow(
      `the cluster CA served by ${url} has public key hash ${caCertHash(ca.certPem)}, but --ca-cert-hash pins ${other}: refusing to use it`,
    );
    expect(requests.some((r) => r.path.endsWith('/nodecredentialrequests'))).toBe(false);
    await expect(stat(path.join(dataDir, 'agent', 'node.token'))).rejects.toThrow(/ENOENT/);
  });

  it('says when the bootstrap token is refused', async () => {
    await expect(join({ bootstrapToken: 'zzz999.0123456789abcdefghijklmnopqrstuv', caCertHash: caCertHash(ca.certPem) })).rejects.toThrow(
      /the bootstrap token was refused \(401 Unauthorized\): it is unknown or has expired/,
    );
  });

  it('says what to pass when nothing is stored', async () => {
    await expect(join()).rejects.toThrow(/no node credential is stored in .*: join with --token BOOTSTRAP_TOKEN --ca-cert-hash sha256:HEX/);
    await expect(join({ bootstrapToken: BOOTSTRAP, caCertHash: 'md5:abc' })).rejects.toThrow('--ca-cert-hash must be sha256:<64 hex digits>, got "md5:abc"');
  });

  it('refuses a stored credential of another cluster when a pin is given', async () => {
    await join({ bootstrapToken: BOOTSTRAP, caCertHash: caCertHash(ca.certPem) });
    const other = caCertHash((await createCA('other')).certPem);
    await expect(join({ bootstrapToken: BOOTSTRAP, caCertHash: other })).rejects.toThrow(/the CA stored in .*ca\.crt has public key hash .*This data dir belongs to another cluster/);
  });
});
