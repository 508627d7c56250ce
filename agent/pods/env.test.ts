import type { ConfigMap, Container, Secret } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { ConfigSource } from '../volumes/sources.js';
import { ConfigError, containerEnv } from './env.js';
import { pod } from './testing/fixtures.js';

const configMaps: Record<string, ConfigMap> = {
  app: { metadata: { name: 'app' }, data: { MODE: 'prod', LEVEL: 'info', 'dotted.key': 'd' }, binaryData: { BIN: Buffer.from('b').toString('base64') } },
};
const secrets: Record<string, Secret> = { creds: { metadata: { name: 'creds' }, data: { PASSWORD: Buffer.from('s3cret').toString('base64') } } };
const sources: ConfigSource = { configMap: async (_ns, name) => configMaps[name], secret: async (_ns, name) => secrets[name] };
const allocatable = { cpuMilli: 4000, memoryBytes: 8 * 1024 ** 3, ephemeralStorageBytes: 100 * 1024 ** 3 };
const addresses = { podIPs: ['10.244.0.7'], hostIPs: ['192.168.1.10'] };

async function envOf(container: Partial<Container>) {
  const c: Container = { name: 'app', image: 'busybox:1', ...container };
  const p = pod({ containers: [c], nodeName: 'node-a', serviceAccountName: 'builder' }, { metadata: { name: 'web', namespace: 'prod', uid: 'uid-9', labels: { tier: 'front' }, annotations: { 'note/x': 'y' } } });
  const r = await containerEnv({ pod: p, container: c, sources, addresses, allocatable });
  return { ...r, map: Object.fromEntries(r.env.map((e) => [e.name, e.value])) };
}

describe('container env', () => {
  it('puts envFrom first (with prefix), then env in order, later names replacing earlier values', async () => {
    const r = await envOf({
      envFrom: [{ configMapRef: { name: 'app' } }, { prefix: 'S_', secretRef: { name: 'creds' } }],
      env: [{ name: 'LEVEL', value: 'debug' }, { name: 'EXTRA', value: 'x' }],
    });
    expect(r.env).toEqual([
      { name: 'MODE', value: 'prod' },
      { name: 'LEVEL', value: 'debug' },
      { name: 'dotted.key', value: 'd' },
      { name: 'S_PASSWORD', value: 's3cret' },
      { name: 'EXTRA', value: 'x' },
    ]);
  });

  it('expands $(VAR) against what is defined before, leaving the rest', async () => {
    const r = await envOf({
      envFrom: [{ configMapRef: { name: 'app' } }],
      env: [
        { name: 'A', value: 'a' },
        { name: 'B', value: '$(A)-$(MODE)-$(C)-$$(A)' },
        { name: 'C', value: 'c' },
      ],
    });
    expect(r.map.B).toBe('a-prod-$(C)-$(A)');
  });

  it.each([
    ['metadata.name', 'web'],
    ['metadata.namespace', 'prod'],
    ['metadata.uid', 'uid-9'],
    ["metadata.labels['tier']", 'front'],
    ["metadata.annotations['note/x']", 'y'],
    ["metadata.labels['absent']", ''],
    ['spec.nodeName', 'node-a'],
    ['spec.serviceAccountName', 'builder'],
    ['status.podIP', '10.244.0.7'],
    ['status.podIPs', '10.244.0.7'],
    ['status.hostIP', '192.168.1.10'],
    ['status.hostIPs', '192.168.1.10'],
  ])('resolves fieldRef %s', async (fieldPath, value) => {
    expect((await envOf({ env: [{ name: 'V', valueFrom: { fieldRef: { fieldPath } } }] })).map.V).toBe(value);
  });

  it.each([
    ['limits.cpu', undefined, '2'],
    ['limits.cpu', '1m', '1500'],
    ['requests.cpu', '1m', '250'],
    ['limits.memory', '1Mi', '512'],
    ['requests.memory', undefined, '268435456'],
    ['limits.ephemeral-storage', '1Gi', '100'],
  ])('resolves resourceFieldRef %s with divisor %s (unset limits read as allocatable)', async (resource, divisor, value) => {
    const r = await envOf({
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1500m', memory: '512Mi' } },
      env: [{ name: 'V', valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}) } } }],
    });
    expect(r.map.V).toBe(value);
  });

  it('reads configMapKeyRef and secretKeyRef; optional missing ones are skipped', async () => {
    const r = await envOf({
      env: [
        { name: 'M', valueFrom: { configMapKeyRef: { name: 'app', key: 'MODE' } } },
        { name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
        { name: 'O1', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } } },
        { name: 'O2', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope', optional: true } } },
      ],
      envFrom: [{ configMapRef: { name: 'nope', optional: true } }],
    });
    expect(r.map).toEqual({ M: 'prod', P: 's3cret' });
  });

  it.each([
    [{ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, 'configmap "nope" not found'],
    [{ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, 'secret "nope" not found'],
    [{ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'k' } } }] }, "couldn't find key k in ConfigMap prod/app"],
    [{ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, "couldn't find key k in Secret prod/creds"],
    [{ envFrom: [{ secretRef: { name: 'nope' } }] }, 'secret "nope" not found'],
  ])('fails on missing sources: %j', async (container, message) => {
    await expect(envOf(container)).rejects.toEqual(new ConfigError(message));
  });

  it('skips envFrom keys that are not valid names and reports them', async () => {
    configMaps.odd = { metadata: { name: 'odd' }, data: { GOOD: '1' } };
    const r = await envOf({ envFrom: [{ prefix: 'A=', configMapRef: { name: 'odd' } }] });
    expect(r.env).toEqual([]);
    expect(r.skipped).toEqual([{ kind: 'configMap', name: 'odd', keys: ['A=GOOD'] }]);
  });
});
