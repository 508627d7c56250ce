/**
 * The ReplicaSet a Deployment creates for its current template, as upstream's getNewReplicaSet
 * builds it: named `<deployment>-<pod-template-hash>` (deterministic, so a repeated create is
 * harmless), the hash label added to its labels, selector and template labels, the Deployment as
 * controller, the Deployment's minReadySeconds, annotations (revision, replicas, the Deployment's
 * own) and the size the strategy allows right now. Pure.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { newControllerRef } from '../../api/owner-references.js';
import { setNewReplicaSetAnnotations } from './annotations.js';
import { computeHash, POD_TEMPLATE_HASH } from './hash.js';
import { newReplicaSetReplicas } from './rolling.js';

export function newReplicaSetFor(d: Deployment, oldRSs: ReplicaSet[], revision: number): ReplicaSet {
  const hash = computeHash(d.spec!.template, d.status?.collisionCount);
  const template = structuredClone(d.spec!.template);
  const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
  template.metadata = { ...(template.metadata ?? {}), labels };
  const selector = structuredClone(d.spec!.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata!.name}-${hash}`,
      namespace: d.metadata!.namespace,
      labels: { ...labels },
      ownerReferences: [newControllerRef({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: d.metadata })],
    },
    spec: { replicas: 0, selector, template },
  };
  if (d.spec?.minReadySeconds) rs.spec!.minReadySeconds = d.spec.minReadySeconds;
  rs.spec!.replicas = newReplicaSetReplicas(d, [...oldRSs, rs], rs);
  setNewReplicaSetAnnotations(d, rs, revision, false);
  return rs;
}
