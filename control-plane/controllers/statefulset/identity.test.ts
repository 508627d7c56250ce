import { describe, expect, it } from 'vitest';
import { claimsFor, identityMatches, inOrdinalRange, isMemberOf, newStatefulSetPod, parentAndOrdinal, storageMatches } from './identity.js';

const set = {
  metadata: { name: 'web', namespace: 'ns', uid: 'set-uid' },
  spec: {
    replicas: 3,
    serviceName: 'nginx',
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' }, annotations: { a: 'b' } },
      spec: { containers: [{ name: 'main', image: 'nginx' }], volumes: [{ name: 'www', emptyDir: {} }, { name: 'cache', emptyDir: {} }] },
    },
    volumeClaimTemplates: [
      { metadata: { name: 'www', labels: { tier: 'disk' } }, spec: { resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } },
      { metadata: { name: 'logs' }, spec: { resources: { requests: { storage: '1Gi' } } } },
    ],
  },
};

describe('names and ordinals', () => {
  it.each([
    ['web-0', 'web', 0],
    ['web-12', 'web', 12],
    ['my-app-3', 'my-app', 3],
    ['web', '', -1],
    ['web-x', '', -1],
    ['web-99999999999', 'web', -1],
  ])('%s has parent %j and ordinal %d', (name, parent, ordinal) => {
    expect(parentAndOrdinal(name)).toEqual({ parent, ordinal });
  });

  it('tells members and ordinals in range', () => {
    expect(isMemberOf(set, { metadata: { name: 'web-4' } })).toBe(true);
    expect(isMemberOf(set, { metadata: { name: 'webx-4' } })).toBe(false);
    expect([0, 2, 3].map((o) => inOrdinalRange(set, o))).toEqual([true, true, false]);
    const shifted = { ...set, spec: { ...set.spec, ordinals: { start: 5 } } };
    expect([4, 5, 7, 8].map((o) => inOrdinalRange(shifted, o))).toEqual([false, true, true, false]);
  });
});

describe('claims and pods', () => {
  it('names each claim <template>-<set>-<ordinal> with the template and selector labels, without status', () => {
    const claims = claimsFor(set, 1);
    expect([...claims.keys()]).toEqual(['www', 'logs']);
    expect(claims.get('www')).toEqual({ metadata: { name: 'www-web-1', namespace: 'ns', labels: { tier: 'disk', app: 'web' } }, spec: { resources: { requests: { storage: '1Gi' } } } });
    expect(claims.get('logs').metadata).toEqual({ name: 'logs-web-1', namespace: 'ns', labels: { app: 'web' } });
  });

  it('makes the pod of an ordinal with its identity, revision, owner and claim volumes', () => {
    const pod = newStatefulSetPod(set, 2, 'web-abc');
    expect(pod.metadata).toEqual({
      name: 'web-2',
      namespace: 'ns',
      labels: { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2', 'controller-revision-hash': 'web-abc' },
      annotations: { a: 'b' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(pod.spec.hostname).toBe('web-2');
    expect(pod.spec.subdomain).toBe('nginx');
    expect(pod.spec.volumes).toEqual([
      { name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } },
      { name: 'logs', persistentVolumeClaim: { claimName: 'logs-web-2' } },
      { name: 'cache', emptyDir: {} },
    ]);
    expect(identityMatches(set, pod)).toBe(true);
    expect(storageMatches(set, pod)).toBe(true);
  });

  it.each([
    ['a pod-name label of another pod', { 'statefulset.kubernetes.io/pod-name': 'web-1' }],
    ['no pod-index label', { 'apps.kubernetes.io/pod-index': undefined }],
  ])('identity does not match with %s', (_what, labels) => {
    const pod = newStatefulSetPod(set, 2, 'r');
    pod.metadata.labels = { ...pod.metadata.labels, ...labels };
    expect(identityMatches(set, pod)).toBe(false);
  });

  it('storage does not match when a claim volume is missing or names another claim', () => {
    const pod = newStatefulSetPod(set, 2, 'r');
    expect(storageMatches(set, { ...pod, spec: { volumes: pod.spec.volumes.slice(1) } })).toBe(false);
    expect(storageMatches(set, { ...pod, metadata: { ...pod.metadata, name: 'web-1' } })).toBe(false);
  });
});
