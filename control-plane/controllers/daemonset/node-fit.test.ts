import { describe, expect, it } from 'vitest';
import { matchesNodeSelectorAndAffinity, nodeShouldRunDaemonPod, tolerates } from './node-fit.js';

const node = (name: string, labels: Record<string, string> = {}, taints: any[] = []) => ({ metadata: { name, labels }, spec: { taints } });
const ds = (podSpec: Record<string, unknown> = {}) => ({ metadata: { name: 'agent' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], ...podSpec } } } });
const required = (...terms: any[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });

describe('tolerates', () => {
  const taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
  it.each([
    ['Equal with the same key, value and effect', { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, true],
    ['the default operator is Equal', { key: 'dedicated', value: 'db' }, true],
    ['Equal with another value', { key: 'dedicated', value: 'web' }, false],
    ['Exists on the key', { key: 'dedicated', operator: 'Exists' }, true],
    ['Exists with another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    ['Exists without a key tolerates everything', { operator: 'Exists' }, true],
    ['another key', { key: 'other', operator: 'Exists' }, false],
  ])('%s: %s', (_what, toleration, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });
});

describe('matchesNodeSelectorAndAffinity', () => {
  const n = node('n1', { zone: 'a', disk: 'ssd', cores: '8' });
  it.each([
    ['no constraints', {}, true],
    ['a matching nodeSelector', { nodeSelector: { zone: 'a' } }, true],
    ['a nodeSelector on a missing label', { nodeSelector: { gpu: 'yes' } }, false],
    ['In', required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }), true],
    ['NotIn', required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), false],
    ['Exists and DoesNotExist', required({ matchExpressions: [{ key: 'disk', operator: 'Exists' }, { key: 'gpu', operator: 'DoesNotExist' }] }), true],
    ['Gt', required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }), true],
    ['Lt', required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }), false],
    ['terms are ORed', required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }), true],
    ['an empty term matches nothing', required({}), false],
    ['matchFields on the node name', required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), true],
    ['matchFields on another node', required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }), false],
    ['nodeSelector and affinity must both hold', { nodeSelector: { zone: 'b' }, ...required({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }) }, false],
  ])('%s: %s', (_what, spec, expected) => {
    expect(matchesNodeSelectorAndAffinity(spec, n)).toBe(expected);
  });
});

describe('nodeShouldRunDaemonPod', () => {
  const run = { shouldRun: true, shouldContinueRunning: true };
  const no = { shouldRun: false, shouldContinueRunning: false };
  const stay = { shouldRun: false, shouldContinueRunning: true };
  it.each([
    ['a plain node', node('n'), ds(), run],
    ['a nodeSelector that does not match', node('n'), ds({ nodeSelector: { role: 'edge' } }), no],
    ['a template nodeName of another node', node('n'), ds({ nodeName: 'other' }), no],
    ['an untolerated NoSchedule taint: no new pod, a running one stays', node('n', {}, [{ key: 'k', effect: 'NoSchedule' }]), ds(), stay],
    ['an untolerated NoExecute taint: none', node('n', {}, [{ key: 'k', effect: 'NoExecute' }]), ds(), no],
    ['a PreferNoSchedule taint does not matter', node('n', {}, [{ key: 'k', effect: 'PreferNoSchedule' }]), ds(), run],
    ['a tolerated taint', node('n', {}, [{ key: 'k', effect: 'NoSchedule' }]), ds({ tolerations: [{ key: 'k', operator: 'Exists' }] }), run],
    ['not-ready NoExecute is tolerated by default', node('n', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), ds(), run],
    ['unschedulable NoSchedule is tolerated by default', node('n', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), ds(), run],
    ['network-unavailable only for host-network pods', node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), ds(), stay],
    ['network-unavailable tolerated for host-network pods', node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), ds({ hostNetwork: true }), run],
  ])('%s', (_what, n, d, expected) => {
    expect(nodeShouldRunDaemonPod(n, d)).toEqual(expected);
  });
});
