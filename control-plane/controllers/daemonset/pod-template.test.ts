import { describe, expect, it } from 'vitest';
import { daemonPodSpec, isPodUpdated, newDaemonPod, pinToNode, targetNodeOf } from './pod-template.js';

describe('daemon pods', () => {
  it('adds the default tolerations, replacing equal ones and keeping the rest', () => {
    const spec = daemonPodSpec({
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'dedicated', operator: 'Exists' },
      ],
    });
    expect(spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'dedicated', operator: 'Exists' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(daemonPodSpec({ hostNetwork: true }).tolerations).toContainEqual({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  });

  it('pins to the node by required affinity on metadata.name, keeping other affinity', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } }],
      },
      podAntiAffinity: { x: 1 },
    };
    const pinned = pinToNode(affinity, 'n1');
    expect(pinned).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution,
      },
      podAntiAffinity: { x: 1 },
    });
    expect(targetNodeOf({ spec: { affinity: pinned } })).toBe('n1');
    expect(targetNodeOf({ spec: { nodeName: 'n2', affinity: pinned } })).toBe('n2');
    expect(targetNodeOf({ spec: {} })).toBeUndefined();
  });

  it('makes a pod owned by the DaemonSet with the hash and template generation labels', () => {
    const ds = {
      metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', annotations: { 'deprecated.daemonset.template.generation': '3' } },
      spec: { template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    };
    const pod = newDaemonPod(ds, 'h1', 'n1');
    expect(pod.metadata).toEqual({
      generateName: 'agent-',
      namespace: 'kube-system',
      labels: { app: 'agent', 'pod-template-generation': '3', 'controller-revision-hash': 'h1' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(targetNodeOf(pod)).toBe('n1');
    expect(isPodUpdated(pod, 'h1', '3')).toBe(true);
    expect(isPodUpdated(pod, 'h2', '3')).toBe(true);
    expect(isPodUpdated(pod, 'h2', '4')).toBe(false);
    expect(isPodUpdated(pod, 'h2', undefined)).toBe(false);
  });
});
