import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { preparableEarly } from './syncer.js';

const main = { name: 'main', init: false, attempt: 0 };
const pod = (spec: Partial<Pod['spec']> = {}, env: object[] = []): Pod => ({
  metadata: { name: 'p', uid: 'u' },
  spec: { containers: [{ name: 'main', image: 'img', env }, { name: 'other', image: 'img', env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }], ...spec } as Pod['spec'],
});

describe('preparableEarly', () => {
  it.each([
    ['a plain container', pod(), [main], true],
    ['nothing to start', pod(), [], false],
    ['a host-network pod', pod({ hostNetwork: true }), [main], false],
    ['env from status.podIP', pod({}, [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }]), [main], false],
    ['env from status.podIPs', pod({}, [{ name: 'IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } }]), [main], false],
    ['env from other fields', pod({}, [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }, { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }]), [main], true],
    ['another container (not started) using the pod IP', pod(), [main], true],
    ['that container among the starts', pod(), [main, { name: 'other', init: false, attempt: 0 }], false],
    ['a downwardAPI volume', pod({ volumes: [{ name: 'd', downwardAPI: { items: [] } }] }), [main], false],
    ['a projected volume', pod({ volumes: [{ name: 'p', projected: { sources: [] } }] }), [main], false],
    ['an emptyDir volume', pod({ volumes: [{ name: 'e', emptyDir: {} }] }), [main], true],
  ])('%s → %s', (_what, p, starts, expected) => {
    expect(preparableEarly(p, starts)).toBe(expected);
  });
});
