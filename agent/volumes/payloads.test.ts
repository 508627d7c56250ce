import { describe, expect, it } from 'vitest';
import { configMapPayload, downwardAPIPayload, secretPayload, type Payload } from './payloads.js';
import { pod } from '../pods/testing/fixtures.js';

const text = (p: Payload) => Object.fromEntries([...p].map(([k, v]) => [k, [v.data.toString('utf8'), v.mode.toString(8)]]));
const cm = { metadata: { name: 'cm' }, data: { a: 'A', b: 'B' }, binaryData: { bin: Buffer.from([0xff, 0x00]).toString('base64') } };
const secret = { metadata: { name: 's' }, data: { user: Buffer.from('admin').toString('base64'), pass: Buffer.from('pw').toString('base64') } };
const ctx = { addresses: { podIPs: ['10.0.0.1'], hostIPs: ['192.168.0.1'] }, allocatable: { cpuMilli: 2000, memoryBytes: 2 ** 30, ephemeralStorageBytes: 0 } };

describe('volume payloads', () => {
  it('lays out every key with defaultMode, binaryData decoded', () => {
    const p = configMapPayload(cm, undefined, 0o644, false);
    expect(text(p)).toEqual({ a: ['A', '644'], b: ['B', '644'] , bin: ['\ufffd\u0000', '644'] });
    expect(p.get('bin')!.data).toEqual(Buffer.from([0xff, 0x00]));
  });

  it('lays out only listed items at their paths and modes', () => {
    expect(text(configMapPayload(cm, [{ key: 'a', path: 'dir/a.txt', mode: 0o600 }, { key: 'b', path: 'b' }], 0o640, false))).toEqual({ 'dir/a.txt': ['A', '600'], b: ['B', '640'] });
  });

  it('fails on a listed key that is missing, unless optional', () => {
    expect(() => configMapPayload(cm, [{ key: 'x', path: 'x' }], 0o644, false)).toThrow('configmap references non-existent config key: x');
    expect(() => secretPayload(secret, [{ key: 'x', path: 'x' }], 0o644, false)).toThrow('references non-existent secret key: x');
    expect(text(configMapPayload(cm, [{ key: 'x', path: 'x' }, { key: 'a', path: 'a' }], 0o644, true))).toEqual({ a: ['A', '644'] });
    expect(text(configMapPayload(undefined, undefined, 0o644, true))).toEqual({});
  });

  it('decodes secrets', () => {
    expect(text(secretPayload(secret, undefined, 0o400, false))).toEqual({ user: ['admin', '400'], pass: ['pw', '400'] });
  });

  it('writes downward API fields and resources', () => {
    const p = pod(
      { containers: [{ name: 'app', image: 'b', resources: { limits: { memory: '64Mi' } } }] },
      { metadata: { name: 'web', namespace: 'ns', uid: 'u', labels: { b: '2', a: '1' }, annotations: { note: 'say "hi"' } } },
    );
    const files = downwardAPIPayload(
      p,
      [
        { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
        { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
        { path: 'meta/name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o600 },
        { path: 'ip', fieldRef: { fieldPath: 'status.podIP' } },
        { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
        { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } },
      ],
      0o644,
      ctx,
    );
    expect(text(files)).toEqual({
      labels: ['a="1"\nb="2"', '644'],
      annotations: ['note="say \\"hi\\""', '644'],
      'meta/name': ['web', '600'],
      ip: ['10.0.0.1', '644'],
      mem: ['64', '644'],
      cpu: ['2', '644'],
    });
    expect(() => downwardAPIPayload(p, [{ path: 'x', resourceFieldRef: { containerName: 'nope', resource: 'limits.cpu' } }], 0o644, ctx)).toThrow('container "nope" not found');
  });
});
