import { describe, expect, it } from 'vitest';
import { pinnedNodes } from '../../control-plane/api/storage.js';
import { localVolumeFor, shouldDelete, shouldProvision } from './local-provisioner.js';

const sc = { metadata: { name: 'local' }, provisioner: 'tugboat.dev/local', reclaimPolicy: 'Retain' };
const claim = (ann: Record<string, string>, more: any = {}) => ({
  metadata: { name: 'data', namespace: 'default', uid: 'u1', resourceVersion: '7', annotations: ann, deletionTimestamp: more.deleting },
  spec: { storageClassName: 'local', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, volumeName: more.volumeName },
});
const marked = { 'volume.kubernetes.io/storage-provisioner': 'tugboat.dev/local', 'volume.kubernetes.io/selected-node': 'n1' };

describe('local provisioner decisions', () => {
  const cases: { name: string; claim: any; sc: any; want: boolean }[] = [
    { name: 'marked for this node', claim: claim(marked), sc, want: true },
    { name: 'another node', claim: claim({ ...marked, 'volume.kubernetes.io/selected-node': 'n2' }), sc, want: false },
    { name: 'not marked by the binder', claim: claim({ 'volume.kubernetes.io/selected-node': 'n1' }), sc, want: false },
    { name: 'already bound', claim: claim(marked, { volumeName: 'pv' }), sc, want: false },
    { name: 'being deleted', claim: claim(marked, { deleting: '2024-01-01T00:00:00Z' }), sc, want: false },
    { name: 'class of another provisioner', claim: claim(marked), sc: { ...sc, provisioner: 'ebs.csi.aws.com' }, want: false },
    { name: 'class missing', claim: claim(marked), sc: undefined, want: false },
  ];
  for (const c of cases) it(c.name, () => expect(shouldProvision(c.claim, 'n1', c.sc)).toBe(c.want));

  it('makes a volume pinned to the node, pre-bound to the claim, sized as requested', () => {
    const pv = localVolumeFor(claim(marked), sc, 'n1', '/var/lib/tug/volumes/pvc-u1');
    expect(pv.metadata).toEqual({ name: 'pvc-u1', annotations: { 'pv.kubernetes.io/provisioned-by': 'tugboat.dev/local' } });
    expect(pv.spec).toMatchObject({ capacity: { storage: '5Gi' }, persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'local', local: { path: '/var/lib/tug/volumes/pvc-u1' } });
    expect(pv.spec.claimRef).toMatchObject({ namespace: 'default', name: 'data', uid: 'u1' });
    expect(pinnedNodes(pv)).toEqual(['n1']);
    expect(shouldDelete({ ...pv, status: { phase: 'Released' } }, 'n1')).toBe(false); // Retain
    const deletable = { ...pv, spec: { ...pv.spec, persistentVolumeReclaimPolicy: 'Delete' }, status: { phase: 'Released' } };
    expect(shouldDelete(deletable, 'n1')).toBe(true);
    expect(shouldDelete(deletable, 'n2')).toBe(false);
    expect(shouldDelete({ ...deletable, status: { phase: 'Bound' } }, 'n1')).toBe(false);
    expect(shouldDelete({ ...deletable, metadata: { name: 'static' } }, 'n1')).toBe(false);
  });
});
