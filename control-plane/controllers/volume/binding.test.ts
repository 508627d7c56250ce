import { describe, expect, it } from 'vitest';
import { nodeAffinityFor } from '../../api/storage.js';
import { claimInUse, decideClaim, decideVolume, nodeForImmediateClaim } from './binding.js';

const classes = new Map<string, any>([
  ['local', { metadata: { name: 'local' }, provisioner: 'tugboat.dev/local', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' }],
  ['now', { metadata: { name: 'now' }, provisioner: 'tugboat.dev/local', volumeBindingMode: 'Immediate' }],
  ['ebs', { metadata: { name: 'ebs' }, provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'WaitForFirstConsumer' }],
  ['nfs', { metadata: { name: 'nfs' }, provisioner: 'tugboat.dev/nfs', parameters: { server: 'files.lan', path: '/exports' }, reclaimPolicy: 'Retain' }],
  ['nfs-wffc', { metadata: { name: 'nfs-wffc' }, provisioner: 'tugboat.dev/nfs', parameters: { server: 'files.lan', path: '/exports' }, volumeBindingMode: 'WaitForFirstConsumer' }],
  ['nfs-bad', { metadata: { name: 'nfs-bad' }, provisioner: 'tugboat.dev/nfs', parameters: { server: 'files.lan' } }],
]);
const readyNode = (name: string) => [name, { metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }] as const;
const nodes = new Map<string, any>([readyNode('n1'), readyNode('n2')]);
const claim = (more: any = {}) => ({
  metadata: { name: 'data', namespace: 'default', uid: 'u1', annotations: more.annotations ?? {} },
  spec: { storageClassName: more.class, volumeName: more.volumeName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  status: { phase: more.phase ?? 'Pending' },
});
const pv = (name: string, more: any = {}) => ({
  metadata: { name, annotations: more.annotations ?? {} },
  spec: { storageClassName: more.class ?? 'ebs', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], claimRef: more.claimRef, nodeAffinity: more.node ? nodeAffinityFor(more.node) : undefined, persistentVolumeReclaimPolicy: more.policy },
  status: { phase: more.phase ?? 'Available' },
});
const ref = { namespace: 'default', name: 'data', uid: 'u1' };

describe('decideClaim', () => {
  const cases: { name: string; claim: any; volumes: any[]; want: string; reason?: string; annotations?: Record<string, string> }[] = [
    { name: 'no class, no volume', claim: claim(), volumes: [], want: 'pending', reason: 'FailedBinding' },
    { name: 'no class, static volume', claim: claim(), volumes: [pv('a', { class: '' })], want: 'bind' },
    { name: 'missing class', claim: claim({ class: 'gone' }), volumes: [], want: 'pending', reason: 'ProvisioningFailed' },
    { name: 'WFFC before a consumer', claim: claim({ class: 'local' }), volumes: [], want: 'pending', reason: 'WaitForFirstConsumer' },
    { name: 'WFFC static volume waits for the node too', claim: claim({ class: 'ebs' }), volumes: [pv('a')], want: 'pending', reason: 'WaitForFirstConsumer' },
    { name: 'WFFC node chosen, static volume there', claim: claim({ class: 'ebs', annotations: { 'volume.kubernetes.io/selected-node': 'n2' } }), volumes: [pv('a', { node: 'n1' }), pv('b', { node: 'n2' })], want: 'bind' },
    {
      name: 'WFFC node chosen, local provisioner',
      claim: claim({ class: 'local', annotations: { 'volume.kubernetes.io/selected-node': 'n2' } }),
      volumes: [],
      want: 'pending',
      reason: 'Provisioning',
      annotations: { 'volume.kubernetes.io/storage-provisioner': 'tugboat.dev/local', 'volume.beta.kubernetes.io/storage-provisioner': 'tugboat.dev/local' },
    },
    { name: 'external provisioner Tugboat lacks', claim: claim({ class: 'ebs', annotations: { 'volume.kubernetes.io/selected-node': 'n1' } }), volumes: [], want: 'pending', reason: 'ExternalProvisioning' },
    {
      name: 'Immediate local: a node is chosen',
      claim: claim({ class: 'now' }),
      volumes: [pv('x', { class: 'now', node: 'n1', claimRef: { namespace: 'o', name: 'o' } })],
      want: 'pending',
      reason: 'Provisioning',
      annotations: { 'volume.kubernetes.io/storage-provisioner': 'tugboat.dev/local', 'volume.beta.kubernetes.io/storage-provisioner': 'tugboat.dev/local', 'volume.kubernetes.io/selected-node': 'n2' },
    },
    { name: 'provisioned volume pre-bound to it', claim: claim({ class: 'local', annotations: { 'volume.kubernetes.io/selected-node': 'n1' } }), volumes: [pv('pvc-u1', { class: 'local', node: 'n1', claimRef: ref })], want: 'bind' },
    { name: 'NFS class, Immediate: the binder makes the volume', claim: claim({ class: 'nfs' }), volumes: [], want: 'provision', reason: 'ProvisioningSucceeded' },
    { name: 'NFS class, WFFC before a consumer', claim: claim({ class: 'nfs-wffc' }), volumes: [], want: 'pending', reason: 'WaitForFirstConsumer' },
    { name: 'NFS class, WFFC node chosen', claim: claim({ class: 'nfs-wffc', annotations: { 'volume.kubernetes.io/selected-node': 'n1' } }), volumes: [], want: 'provision', reason: 'ProvisioningSucceeded' },
    { name: 'NFS class without path', claim: claim({ class: 'nfs-bad' }), volumes: [], want: 'pending', reason: 'ProvisioningFailed' },
    { name: 'NFS volume made, pre-bound to it', claim: claim({ class: 'nfs' }), volumes: [pv('pvc-u1', { class: 'nfs', claimRef: ref, phase: 'Pending' })], want: 'bind' },
    { name: 'volumeName set, volume free', claim: claim({ class: 'ebs', volumeName: 'a' }), volumes: [pv('a')], want: 'bind' },
    { name: 'volumeName set, volume of another claim', claim: claim({ class: 'ebs', volumeName: 'a' }), volumes: [pv('a', { claimRef: { namespace: 'default', name: 'x' } })], want: 'pending', reason: 'FailedBinding' },
    { name: 'bound and complete', claim: claim({ class: 'ebs', volumeName: 'a', phase: 'Bound', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }), volumes: [pv('a', { claimRef: ref, phase: 'Bound' })], want: 'none' },
    { name: 'bound volume gone', claim: claim({ class: 'ebs', volumeName: 'a', phase: 'Bound', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }), volumes: [], want: 'lost' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideClaim({ claim: c.claim, volumes: c.volumes, classes, nodes });
      expect(d.kind).toBe(c.want);
      if (c.reason) expect((d.kind === 'pending' || d.kind === 'provision') && d.event?.reason).toBe(c.reason);
      if (c.annotations) expect(d.kind === 'pending' && d.annotations).toEqual(c.annotations);
    });
  }
});

describe('decideVolume', () => {
  const bound = claim({ class: 'local', volumeName: 'a', phase: 'Bound' });
  const cases: { name: string; pv: any; claim: any; want: string | undefined }[] = [
    { name: 'unclaimed: Available', pv: pv('a', { phase: 'Pending' }), claim: undefined, want: 'Available' },
    { name: 'bound claim: Bound', pv: pv('a', { claimRef: ref }), claim: bound, want: 'Bound' },
    { name: 'pre-bound, claim not yet bound: Available', pv: pv('a', { claimRef: ref, phase: 'Pending' }), claim: claim({ class: 'local' }), want: 'Available' },
    { name: 'claim gone, Retain: Released', pv: pv('a', { claimRef: ref, phase: 'Bound', policy: 'Retain' }), claim: undefined, want: 'Released' },
    { name: 'claim gone, local Delete: Released (the agent deletes it)', pv: pv('a', { claimRef: ref, phase: 'Bound', policy: 'Delete', annotations: { 'pv.kubernetes.io/provisioned-by': 'tugboat.dev/local' } }), claim: undefined, want: 'Released' },
    { name: 'claim gone, NFS-provisioned Delete: Failed, data kept, says so', pv: { ...pv('a', { claimRef: ref, phase: 'Bound', policy: 'Delete', annotations: { 'pv.kubernetes.io/provisioned-by': 'tugboat.dev/nfs' } }), spec: { claimRef: ref, persistentVolumeReclaimPolicy: 'Delete', nfs: { server: 's', path: '/e/x' } } }, claim: undefined, want: 'Failed' },
    { name: 'claim gone, static Delete: Failed', pv: pv('a', { claimRef: ref, phase: 'Bound', policy: 'Delete' }), claim: undefined, want: 'Failed' },
    { name: 'claim replaced by a new one of that name: Released', pv: pv('a', { claimRef: ref, phase: 'Bound', policy: 'Retain' }), claim: { ...bound, metadata: { ...bound.metadata, uid: 'u2' } }, want: 'Released' },
    { name: 'already Released', pv: pv('a', { claimRef: ref, phase: 'Released', policy: 'Retain' }), claim: undefined, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideVolume(c.pv, c.claim);
      expect(d.kind === 'phase' ? d.phase : undefined).toBe(c.want);
    });
  }
});

it('the NFS volume made for a claim: sub-directory of the export, claim access modes, class reclaim policy', () => {
  const c = { ...claim({ class: 'nfs' }), spec: { ...claim({ class: 'nfs' }).spec, accessModes: ['ReadWriteMany'] } };
  const d = decideClaim({ claim: c, volumes: [], classes, nodes });
  expect(d.kind === 'provision' && d.volume.spec).toEqual({
    capacity: { storage: '1Gi' },
    accessModes: ['ReadWriteMany'],
    volumeMode: 'Filesystem',
    persistentVolumeReclaimPolicy: 'Retain',
    storageClassName: 'nfs',
    nfs: { server: 'files.lan', path: '/exports/default-data-pvc-u1' },
    claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'data', uid: 'u1', resourceVersion: undefined },
  });
  const failed = decideVolume({ metadata: { name: 'pvc-u1', annotations: { 'pv.kubernetes.io/provisioned-by': 'tugboat.dev/nfs' } }, spec: { claimRef: ref, persistentVolumeReclaimPolicy: 'Delete', nfs: { server: 's', path: '/e/x' } }, status: { phase: 'Bound' } }, undefined);
  expect(failed.kind === 'phase' && failed.message).toContain('the directory s:/e/x is kept; remove it on the server, then delete this PersistentVolume');
});

describe('protection and placement', () => {
  const pod = (phase: string, claimName: string) => ({ metadata: { name: 'p', namespace: 'default' }, spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }] }, status: { phase } });
  it('a running pod keeps its claim in use; a finished one does not', () => {
    expect(claimInUse(claim(), [pod('Running', 'data')])).toBeDefined();
    expect(claimInUse(claim(), [pod('Pending', 'data')])).toBeDefined();
    expect(claimInUse(claim(), [pod('Succeeded', 'data')])).toBeUndefined();
    expect(claimInUse(claim(), [pod('Running', 'other')])).toBeUndefined();
  });
  it('Immediate local claims go to the Ready node with the fewest volumes', () => {
    const notReady = ['n0', { metadata: { name: 'n0' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } }] as const;
    expect(nodeForImmediateClaim(new Map<string, any>([notReady, readyNode('n1'), readyNode('n2')]), [pv('x', { node: 'n1' })])).toBe('n2');
    expect(nodeForImmediateClaim(new Map<string, any>([notReady]), [])).toBeUndefined();
  });
});
