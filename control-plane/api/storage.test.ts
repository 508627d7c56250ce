import { describe, expect, it } from 'vitest';
import { findMatchingVolume, nfsVolumeFor, nodeAffinityFor, pinnedNodes, volumeFitsNode } from './storage.js';

const pv = (name: string, size: string, more: any = {}) => ({
  metadata: { name, labels: more.labels ?? {} },
  spec: { capacity: { storage: size }, accessModes: more.accessModes ?? ['ReadWriteOnce'], storageClassName: more.class ?? 'manual', claimRef: more.claimRef, nodeAffinity: more.nodeAffinity },
  status: { phase: more.phase ?? 'Available' },
});
const claim = (size: string, more: any = {}) => ({
  metadata: { name: 'data', namespace: 'default', uid: 'u1' },
  spec: { resources: { requests: { storage: size } }, accessModes: more.accessModes ?? ['ReadWriteOnce'], storageClassName: more.class ?? 'manual', selector: more.selector },
});

describe('findMatchingVolume', () => {
  const cases: { name: string; claim: any; volumes: any[]; node?: any; want: string | undefined }[] = [
    { name: 'smallest that fits', claim: claim('5Gi'), volumes: [pv('big', '100Gi'), pv('small', '1Gi'), pv('mid', '10Gi')], want: 'mid' },
    { name: 'too small', claim: claim('5Gi'), volumes: [pv('small', '1Gi')], want: undefined },
    { name: 'class differs', claim: claim('1Gi', { class: 'fast' }), volumes: [pv('a', '1Gi')], want: undefined },
    { name: 'access mode missing', claim: claim('1Gi', { accessModes: ['ReadWriteMany'] }), volumes: [pv('a', '1Gi')], want: undefined },
    { name: 'access modes superset ok', claim: claim('1Gi'), volumes: [pv('a', '1Gi', { accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] })], want: 'a' },
    { name: 'claimed by another', claim: claim('1Gi'), volumes: [pv('a', '1Gi', { claimRef: { namespace: 'default', name: 'other' } })], want: undefined },
    { name: 'pre-bound to this claim wins', claim: claim('1Gi'), volumes: [pv('a', '1Gi'), pv('b', '5Gi', { claimRef: { namespace: 'default', name: 'data' } })], want: 'b' },
    { name: 'pre-bound to an older claim of that name', claim: claim('1Gi'), volumes: [pv('b', '5Gi', { claimRef: { namespace: 'default', name: 'data', uid: 'old' } })], want: undefined },
    { name: 'released not chosen', claim: claim('1Gi'), volumes: [pv('a', '1Gi', { phase: 'Released' })], want: undefined },
    { name: 'selector', claim: claim('1Gi', { selector: { matchLabels: { tier: 'gold' } } }), volumes: [pv('a', '1Gi'), pv('b', '1Gi', { labels: { tier: 'gold' } })], want: 'b' },
    { name: 'node affinity admits', claim: claim('1Gi'), volumes: [pv('a', '1Gi', { nodeAffinity: nodeAffinityFor('n2') })], node: { name: 'n2', labels: { 'kubernetes.io/hostname': 'n2' } }, want: 'a' },
    { name: 'node affinity refuses', claim: claim('1Gi'), volumes: [pv('a', '1Gi', { nodeAffinity: nodeAffinityFor('n2') })], node: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, want: undefined },
  ];
  for (const c of cases) it(c.name, () => expect(findMatchingVolume(c.claim, c.volumes, c.node)?.metadata.name).toBe(c.want));
});

describe('pinnedNodes', () => {
  const withTerms = (terms: any[]) => ({ spec: { nodeAffinity: { required: { nodeSelectorTerms: terms } } } });
  const cases: { name: string; pv: any; want: string[] | undefined }[] = [
    { name: 'hostname In', pv: { spec: { nodeAffinity: nodeAffinityFor('a') } }, want: ['a'] },
    { name: 'metadata.name field', pv: withTerms([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }]), want: ['a'] },
    { name: 'two terms', pv: withTerms([{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }, { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['b'] }] }]), want: ['a', 'b'] },
    { name: 'NotIn is not pinning', pv: withTerms([{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['b'] }] }]), want: undefined },
    { name: 'another label', pv: withTerms([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }]), want: undefined },
    { name: 'hostname plus another requirement', pv: withTerms([{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }, { key: 'zone', operator: 'Exists' }] }]), want: undefined },
    { name: 'no affinity', pv: { spec: {} }, want: undefined },
  ];
  for (const c of cases) it(c.name, () => expect(pinnedNodes(c.pv)).toEqual(c.want));
  it('volumeFitsNode', () => {
    expect(volumeFitsNode({ spec: { nodeAffinity: nodeAffinityFor('a') } }, { name: 'a', labels: { 'kubernetes.io/hostname': 'a' } })).toBe(true);
    expect(volumeFitsNode({ spec: {} }, { name: 'a', labels: {} })).toBe(true);
  });
});

describe('nfsVolumeFor', () => {
  const claim = (accessModes: string[]) => ({
    metadata: { name: 'shared', namespace: 'team', uid: 'abc', resourceVersion: '7' },
    spec: { storageClassName: 'nfs', accessModes, resources: { requests: { storage: '5Gi' } } },
  });
  const sc = (parameters: any, more: any = {}) => ({ metadata: { name: 'nfs' }, provisioner: 'tugboat.dev/nfs', parameters, ...more });
  const cases: { name: string; claim: any; sc: any; want: any }[] = [
    {
      name: 'ReadWriteMany, default reclaim Delete',
      claim: claim(['ReadWriteMany']),
      sc: sc({ server: 'files.lan', path: '/exports/' }),
      want: { nfs: { server: 'files.lan', path: '/exports/team-shared-pvc-abc' }, accessModes: ['ReadWriteMany'], persistentVolumeReclaimPolicy: 'Delete' },
    },
    {
      name: 'Retain, mountOptions, root export',
      claim: claim(['ReadWriteOnce', 'ReadOnlyMany']),
      sc: sc({ server: '10.1.2.3', path: '/' }, { reclaimPolicy: 'Retain', mountOptions: ['nfsvers=4.2'] }),
      want: { nfs: { server: '10.1.2.3', path: '/team-shared-pvc-abc' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], persistentVolumeReclaimPolicy: 'Retain', mountOptions: ['nfsvers=4.2'] },
    },
    { name: 'no server', claim: claim(['ReadWriteMany']), sc: sc({ path: '/x' }), want: { error: /needs parameters.server/ } },
    { name: 'relative path', claim: claim(['ReadWriteMany']), sc: sc({ server: 's', path: 'x' }), want: { error: /needs parameters.path: the absolute path of the export on the server, got "x"/ } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = nfsVolumeFor(c.claim, c.sc);
      if ('error' in c.want) {
        expect('error' in got && got.error).toMatch(c.want.error);
        return;
      }
      expect('volume' in got).toBe(true);
      const pv = (got as { volume: any }).volume;
      expect(pv.metadata).toEqual({ name: 'pvc-abc', annotations: { 'pv.kubernetes.io/provisioned-by': 'tugboat.dev/nfs' } });
      expect(pv.spec).toMatchObject({ ...c.want, capacity: { storage: '5Gi' }, storageClassName: 'nfs', claimRef: { namespace: 'team', name: 'shared', uid: 'abc' } });
      expect(pv.spec.nodeAffinity).toBeUndefined();
      if (!c.want.mountOptions) expect(pv.spec.mountOptions).toBeUndefined();
    });
  }
});
