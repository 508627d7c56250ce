import { describe, expect, it } from 'vitest';
import { nodeAffinityFor } from '../../api/storage.js';
import { claimsToSelect, REASONS, volumeFilter, volumeStateOf, type VolumeLookup } from './volume-binding.js';

const classes: Record<string, any> = {
  local: { metadata: { name: 'local' }, provisioner: 'tugboat.dev/local', volumeBindingMode: 'WaitForFirstConsumer' },
  now: { metadata: { name: 'now' }, provisioner: 'tugboat.dev/local', volumeBindingMode: 'Immediate' },
  ebs: { metadata: { name: 'ebs' }, provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'WaitForFirstConsumer' },
};
const claim = (name: string, more: any = {}) => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, annotations: more.annotations, deletionTimestamp: more.deleting ? '2024-01-01T00:00:00Z' : undefined },
  spec: { storageClassName: more.class, volumeName: more.volumeName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});
const pv = (name: string, node: string, cls = 'ebs') => ({
  metadata: { name },
  spec: { storageClassName: cls, capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], nodeAffinity: nodeAffinityFor(node) },
  status: { phase: 'Available' },
});

function lookup(claims: any[], volumes: any[]): VolumeLookup {
  return {
    claim: (ns, name) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    volume: (name) => volumes.find((v) => v.metadata.name === name),
    storageClass: (name) => classes[name],
    volumes: () => volumes,
  };
}
const pod = (...claimNames: string[]) => ({ metadata: { name: 'p', namespace: 'default' }, spec: { volumes: claimNames.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) } });
const node = (name: string) => ({ name, labels: { 'kubernetes.io/hostname': name } });

describe('VolumeBinding', () => {
  const cases: { name: string; pod: any; claims: any[]; volumes: any[]; fits: Record<string, string | undefined> }[] = [
    { name: 'no claims: not checked', pod: pod(), claims: [], volumes: [], fits: {} },
    { name: 'missing claim', pod: pod('data'), claims: [], volumes: [], fits: { n1: REASONS.claimNotFound('data') } },
    { name: 'claim being deleted', pod: pod('data'), claims: [claim('data', { class: 'local', deleting: true })], volumes: [], fits: { n1: REASONS.claimDeleting('data') } },
    { name: 'unbound immediate', pod: pod('data'), claims: [claim('data', { class: 'now' })], volumes: [], fits: { n1: REASONS.unboundImmediate } },
    { name: 'unbound without class', pod: pod('data'), claims: [claim('data')], volumes: [], fits: { n1: REASONS.unboundImmediate } },
    { name: 'unknown class', pod: pod('data'), claims: [claim('data', { class: 'nope' })], volumes: [], fits: { n1: REASONS.unboundImmediate } },
    { name: 'WFFC local: every node', pod: pod('data'), claims: [claim('data', { class: 'local' })], volumes: [], fits: { n1: undefined, n2: undefined } },
    { name: 'WFFC external: nodes with a matching volume', pod: pod('data'), claims: [claim('data', { class: 'ebs' })], volumes: [pv('pv1', 'n2')], fits: { n1: REASONS.noVolumes, n2: undefined } },
    { name: 'WFFC external: no volume', pod: pod('data'), claims: [claim('data', { class: 'ebs' })], volumes: [], fits: { n1: REASONS.noVolumes } },
    { name: 'bound: volume node affinity', pod: pod('data'), claims: [claim('data', { class: 'local', volumeName: 'pv1' })], volumes: [pv('pv1', 'n2', 'local')], fits: { n1: REASONS.nodeConflict, n2: undefined } },
    { name: 'bound to a missing volume', pod: pod('data'), claims: [claim('data', { class: 'local', volumeName: 'gone' })], volumes: [], fits: { n1: REASONS.missingVolume } },
    { name: 'two claims: both must fit', pod: pod('a', 'b'), claims: [claim('a', { class: 'local', volumeName: 'pv1' }), claim('b', { class: 'ebs' })], volumes: [pv('pv1', 'n1', 'local'), pv('pv2', 'n2')], fits: { n1: REASONS.noVolumes, n2: REASONS.nodeConflict } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const l = lookup(c.claims, c.volumes);
      const state = volumeStateOf(c.pod, l);
      if (Object.keys(c.fits).length === 0) return expect(state).toBeUndefined();
      for (const [n, want] of Object.entries(c.fits)) expect(volumeFilter(state!, node(n), l)?.reasons[0], n).toBe(want);
    });
  }

  it('selects the node for unbound delayed claims only', () => {
    const l = lookup([claim('a', { class: 'local' }), claim('b', { class: 'local', volumeName: 'pv1' }), claim('c', { class: 'local', annotations: { 'volume.kubernetes.io/selected-node': 'n1' } })], [pv('pv1', 'n1', 'local')]);
    expect(claimsToSelect(pod('a', 'b', 'c'), 'n1', l).map((c) => c.metadata.name)).toEqual(['a']);
    expect(claimsToSelect(pod('a', 'b', 'c'), 'n2', l).map((c) => c.metadata.name)).toEqual(['a', 'c']);
  });
});
