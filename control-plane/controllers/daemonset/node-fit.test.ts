import { describe, expect, it } from 'vitest';
import { nodeShouldRunDaemonPod } from './node-fit.js';

const node = (name: string, labels: Record<string, string> = {}, taints: any[] = []) => ({ metadata: { name, labels }, spec: { taints } });
const ds = (podSpec: Record<string, unknown> = {}) => ({ metadata: { name: 'agent' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], ...podSpec } } } });

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
