import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pod, service } from './fixtures.test-util.js';
import { selectsPods, servicesToSync } from './service-pods.js';

const services = [service('web', { selector: { app: 'web' } }), service('api', { selector: { app: 'api' } }), service('all-web', { selector: { tier: 'x' } }), service('manual', { selector: null })];
const bumped = (p: Pod, change: (p: Pod) => void): Pod => {
  const next = { ...structuredClone(p), metadata: { ...p.metadata, resourceVersion: String(Number(p.metadata!.resourceVersion) + 1) } };
  change(next);
  return next;
};

describe('selectsPods', () => {
  it.each([
    { name: 'selector', svc: service('a'), want: true },
    { name: 'no selector', svc: service('a', { selector: null }), want: false },
    { name: 'empty selector', svc: service('a', { selector: {} }), want: false },
    { name: 'ExternalName', svc: { ...service('a'), spec: { type: 'ExternalName', externalName: 'x.example', selector: { app: 'web' } } }, want: false },
  ])('$name', ({ svc, want }) => expect(selectsPods(svc)).toBe(want));
});

describe('servicesToSync', () => {
  const p = pod('p', { labels: { app: 'web' }, ip: '10.244.1.1' });
  it.each<{ name: string; old?: Pod; cur?: Pod; want: string[] }>([
    { name: 'add', cur: p, want: ['default/web'] },
    { name: 'delete', old: p, want: ['default/web'] },
    { name: 'resync (same resourceVersion)', old: p, cur: p, want: [] },
    { name: 'irrelevant change (annotation)', old: p, cur: bumped(p, (x) => (x.metadata!.annotations = { a: 'b' })), want: [] },
    { name: 'readiness change', old: p, cur: bumped(p, (x) => (x.status!.conditions = [{ type: 'Ready', status: 'False' }])), want: ['default/web'] },
    { name: 'IP assigned', old: pod('q', { ip: null }), cur: bumped(pod('q', { ip: null }), (x) => (x.status!.podIP = '10.244.1.9')), want: ['default/web'] },
    { name: 'deletion started', old: p, cur: pod('p', { labels: { app: 'web' }, ip: '10.244.1.1', deleting: true }), want: ['default/web'] },
    { name: 'labels only: the Services it left and joined', old: p, cur: bumped(p, (x) => (x.metadata!.labels = { app: 'api' })), want: ['default/web', 'default/api'] },
    { name: 'labels only, one Service kept: not that one', old: p, cur: bumped(p, (x) => (x.metadata!.labels = { app: 'web', tier: 'x' })), want: ['default/all-web'] },
    {
      name: 'labels and readiness: all before and after',
      old: p,
      cur: bumped(p, (x) => {
        x.metadata!.labels = { app: 'web', tier: 'x' };
        x.status!.conditions = [{ type: 'Ready', status: 'False' }];
      }),
      want: ['default/web', 'default/all-web'],
    },
  ])('$name', ({ old, cur, want }) => {
    expect([...servicesToSync(services, old, cur)].sort()).toEqual([...want].sort());
  });
});
