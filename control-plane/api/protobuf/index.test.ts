import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatusError } from '../status.js';
import { decodeProtobufObject } from './index.js';
import { EMPTY_META_TAIL, body, entry, key, len, num, str, time } from './wire.test-util.js';

/** Bodies kubectl 1.33.1 sent, byte for byte (shared/kubectl-probe/proto-1.33.txt). */
const KUBECTL = {
  createConfigMap: '6b3873000a0f0a0276311209436f6e6669674d6170121d0a130a0363666712001a0022002a0032003800420012060a01611201311a002200',
  authCanI:
    '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123f0a100a0012001a0022002a0032003800420012210a1f0a0764656661756c7412066372656174651a0022002a04706f647332003a001a08080012001a0020001a002200',
  createConfigMap2: '6b3873000a0f0a0276311209436f6e6669674d6170121e0a140a046366673212001a0022002a0032003800420012060a01611201311a002200',
};
const hex = (s: string) => Buffer.from(s, 'hex');

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('decodeProtobufObject: bodies kubectl sends', () => {
  it('decodes kubectl create configmap', () => {
    expect(decodeProtobufObject(hex(KUBECTL.createConfigMap))).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } });
    expect(decodeProtobufObject(hex(KUBECTL.createConfigMap2))).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg2' }, data: { a: '1' } });
  });

  it('decodes kubectl auth can-i', () => {
    expect(decodeProtobufObject(hex(KUBECTL.authCanI))).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
      status: {},
    });
  });

  it('decodes kubectl create secret generic with binary data and no type', () => {
    const raw = [
      ...len(1, [...str(1, 'creds'), ...str(3, 'prod')]),
      ...entry(2, 'password', [...Buffer.from('s3cr3t')]),
      ...entry(2, 'blob', [0x00, 0xff, 0x10]),
      ...entry(2, 'empty', []),
      ...str(3, ''),
    ];
    expect(decodeProtobufObject(body('v1', 'Secret', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'prod' },
      data: { password: 'czNjcjN0', blob: 'AP8Q', empty: '' },
    });
  });

  it('decodes a typed, immutable secret with stringData', () => {
    const raw = [...len(1, str(1, 'tls')), ...str(3, 'kubernetes.io/tls'), ...entry(4, 'note', [...Buffer.from('hello')]), ...num(5, 0)];
    expect(decodeProtobufObject(body('v1', 'Secret', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'tls' },
      type: 'kubernetes.io/tls',
      stringData: { note: 'hello' },
      immutable: false,
    });
  });

  it('decodes configmap binary data and immutability', () => {
    const raw = [...len(1, [...str(1, 'bin'), ...EMPTY_META_TAIL]), ...entry(3, 'k', [1, 2, 3]), ...num(4, 1)];
    expect(decodeProtobufObject(body('v1', 'ConfigMap', raw))).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bin' }, binaryData: { k: 'AQID' }, immutable: true });
  });

  it('decodes kubectl create namespace', () => {
    const raw = [...len(1, [...str(1, 'team-a'), ...EMPTY_META_TAIL]), ...len(2, []), ...len(3, str(1, ''))];
    expect(decodeProtobufObject(body('v1', 'Namespace', raw))).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' }, spec: {}, status: {} });
    const withFinalizers = [...len(1, str(1, 'b')), ...len(2, [...str(1, 'kubernetes'), ...str(1, 'example.com/x')])];
    expect(decodeProtobufObject(body('v1', 'Namespace', withFinalizers)).spec).toEqual({ finalizers: ['kubernetes', 'example.com/x'] });
  });

  it('decodes kubectl create serviceaccount', () => {
    const raw = [...len(1, [...str(1, 'builder'), ...str(3, 'ci')]), ...len(2, [...str(1, 'Secret'), ...str(3, 'tok')]), ...len(3, str(1, 'regcred')), ...num(4, 0)];
    expect(decodeProtobufObject(body('v1', 'ServiceAccount', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'builder', namespace: 'ci' },
      secrets: [{ kind: 'Secret', name: 'tok' }],
      imagePullSecrets: [{ name: 'regcred' }],
      automountServiceAccountToken: false,
    });
  });

  it('decodes non-resource and selector access reviews', () => {
    const nonResource = [...len(1, []), ...len(2, len(2, [...str(1, '/healthz'), ...str(2, 'get')]))];
    expect(decodeProtobufObject(body('authorization.k8s.io/v1', 'SelfSubjectAccessReview', nonResource)).spec).toEqual({ nonResourceAttributes: { path: '/healthz', verb: 'get' } });
    const selectors = [
      ...len(
        2,
        len(1, [
          ...str(2, 'list'),
          ...str(5, 'pods'),
          ...len(8, str(1, 'spec.nodeName=n1')),
          ...len(9, len(2, [...str(1, 'app'), ...str(2, 'In'), ...str(3, 'web'), ...str(3, 'api')])),
        ]),
      ),
    ];
    expect(decodeProtobufObject(body('authorization.k8s.io/v1', 'SelfSubjectAccessReview', selectors)).spec.resourceAttributes).toEqual({
      verb: 'list',
      resource: 'pods',
      fieldSelector: { rawSelector: 'spec.nodeName=n1' },
      labelSelector: { requirements: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] },
    });
  });

  it('decodes every ObjectMeta field', () => {
    const fieldsV1 = JSON.stringify({ 'f:data': { 'f:a': {} } });
    const meta = [
      ...str(1, 'web'),
      ...str(2, 'web-'),
      ...str(3, 'default'),
      ...str(4, '/api/v1/namespaces/default/configmaps/web'),
      ...str(5, '6f1c2f9e-0000-4000-8000-000000000001'),
      ...str(6, '42'),
      ...num(7, 2n ** 40n),
      ...time(8, 1714564800, 500),
      ...time(9, 1714568400),
      ...num(10, 0),
      ...entry(11, 'app', [...Buffer.from('web')]),
      ...entry(11, 'tier', []),
      ...entry(12, 'note', [...Buffer.from('ünïcode ✓')]),
      ...len(13, [...str(5, 'apps/v1'), ...str(1, 'Deployment'), ...str(3, 'web'), ...str(4, 'u1'), ...num(6, 1), ...num(7, 0)]),
      ...str(14, 'example.com/cleanup'),
      ...str(14, 'other'),
      ...len(17, [...str(1, 'kubectl-create'), ...str(2, 'Update'), ...str(3, 'v1'), ...time(4, 1714564800), ...str(6, 'FieldsV1'), ...len(7, len(1, [...Buffer.from(fieldsV1)])), ...str(8, '')]),
    ];
    expect(decodeProtobufObject(body('v1', 'ConfigMap', len(1, meta))).metadata).toEqual({
      name: 'web',
      generateName: 'web-',
      namespace: 'default',
      selfLink: '/api/v1/namespaces/default/configmaps/web',
      uid: '6f1c2f9e-0000-4000-8000-000000000001',
      resourceVersion: '42',
      generation: 2 ** 40,
      creationTimestamp: '2024-05-01T12:00:00Z',
      deletionTimestamp: '2024-05-01T13:00:00Z',
      deletionGracePeriodSeconds: 0,
      labels: { app: 'web', tier: '' },
      annotations: { note: 'ünïcode ✓' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: false }],
      finalizers: ['example.com/cleanup', 'other'],
      managedFields: [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2024-05-01T12:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }],
    });
  });

  it('skips unknown fields of every wire type, and reads map keys literally', () => {
    const raw = [
      ...num(99, -1),
      ...key(98, 1), 1, 2, 3, 4, 5, 6, 7, 8,
      ...str(97, 'ignored'),
      ...key(96, 3), ...num(1, 5), ...key(96, 4),
      ...key(95, 5), 1, 2, 3, 4,
      ...len(1, [...str(1, 'x'), ...num(50, 7)]),
      ...entry(2, '__proto__', [...Buffer.from('polluted?')]),
      ...entry(2, 'constructor', [...Buffer.from('c')]),
    ];
    const obj = decodeProtobufObject(body('v1', 'ConfigMap', raw));
    expect(obj.metadata).toEqual({ name: 'x' });
    expect(Object.keys(obj.data)).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(obj.data))).toEqual(JSON.parse('{"__proto__":"polluted?","constructor":"c"}'));
    expect(Object.getPrototypeOf(obj.data)).toBe(Object.prototype);
  });

  it('merges a repeated embedded message and lets the last scalar win', () => {
    const raw = [...len(1, str(1, 'first')), ...len(1, str(3, 'ns')), ...len(1, str(1, 'second'))];
    expect(decodeProtobufObject(body('v1', 'ConfigMap', raw)).metadata).toEqual({ name: 'second', namespace: 'ns' });
  });
});

describe('decodeProtobufObject: refusals', () => {
  it.each([
    ['no magic', Buffer.from('{"kind":"ConfigMap"}'), 400, /does not appear to be a protobuf message, expected prefix \[107 56 115 0\]/],
    ['too short', Buffer.from([0x6b, 0x38]), 400, /expected prefix/],
    ['an unsupported kind', body('apps/v1', 'StatefulSet', len(1, str(1, 'x'))), 415, /not supported for StatefulSet apps\/v1/],
    ['no type meta', Buffer.from([0x6b, 0x38, 0x73, 0x00]), 415, /not supported for \(no kind\)/],
    ['an encoded raw object', body('v1', 'ConfigMap', [], 'gzip'), 415, /content encoding "gzip"/],
    ['a known field with the wrong wire type', body('v1', 'ConfigMap', num(1, 5)), 400, /field metadata \(1\) has wire type 0/],
    ['a field number 0', body('v1', 'ConfigMap', [0x00, 0x00]), 400, /illegal field number 0/],
    ['a length past the end', body('v1', 'ConfigMap', [0x0a, 0x7f, 0x00]), 400, /runs past the end/],
    ['invalid managed fields JSON', body('v1', 'ConfigMap', len(1, len(17, len(7, len(1, [...Buffer.from('{no')]))))), 400, /fieldsV1 is not valid JSON/],
    ['a timestamp out of range', body('v1', 'ConfigMap', len(1, time(8, 2 ** 40))), 400, /timestamp 1099511627776 is out of range/],
  ])('refuses %s with %d', (_n, data, code, message) => {
    const err = statusOf(() => decodeProtobufObject(data));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('answers every truncation of real bodies with a StatusError or a decoded object', () => {
    for (const b of Object.values(KUBECTL)) {
      const full = hex(b);
      for (let n = 0; n < full.length; n++) {
        try {
          decodeProtobufObject(full.subarray(0, n));
        } catch (e) {
          expect(e, `prefix of ${n} bytes`).toBeInstanceOf(StatusError);
        }
      }
    }
  });

  it('never throws anything but a StatusError for random input', () => {
    const magic = fc.uint8Array({ maxLength: 200 }).map((tail) => Buffer.from([0x6b, 0x38, 0x73, 0x00, ...tail]));
    const mutated = fc
      .tuple(fc.constantFrom(...Object.values(KUBECTL)), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }))
      .map(([h, edits]) => {
        const buf = hex(h);
        for (const [at, value] of edits) buf[at % buf.length] = value;
        return buf;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), magic, mutated), (data) => {
        try {
          decodeProtobufObject(data);
        } catch (e) {
          if (!(e instanceof StatusError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
