import { describe, expect, it } from 'vitest';
import { clusterOf, filterAll, makeNode, makePod, scoreAll } from '../test-fixtures.js';
import { interPodAffinity, interPodAffinityScore } from './inter-pod-affinity.js';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const AFFINITY = "node(s) didn't match pod affinity rules";
const ANTI = "node(s) didn't match pod anti-affinity rules";
const EXISTING_ANTI = "node(s) didn't satisfy existing pods anti-affinity rules";

const term = (labels: Record<string, string>, topologyKey: string, extra: Record<string, unknown> = {}) => ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });
const affinity = (kind: 'podAffinity' | 'podAntiAffinity', ...terms: any[]) => ({ affinity: { [kind]: { requiredDuringSchedulingIgnoredDuringExecution: terms } } });
const preferred = (kind: 'podAffinity' | 'podAntiAffinity', weight: number, t: any) => ({
  affinity: { [kind]: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: t }] } },
});

const nodes = () => [makeNode('a', { labels: { [ZONE]: 'z1' } }), makeNode('b', { labels: { [ZONE]: 'z1' } }), makeNode('c', { labels: { [ZONE]: 'z2' } })];
const web = (ns = 'default', spec: Record<string, unknown> = {}) => makePod('web-0', { nodeName: 'a', labels: { app: 'web' }, namespace: ns, spec });

function reasons(pod: any, existing: any[], namespaceLabels: Record<string, Record<string, string>> = {}) {
  const result = filterAll(interPodAffinity, pod, clusterOf(nodes(), existing, namespaceLabels));
  return Object.fromEntries(Object.entries(result).map(([n, r]) => [n, r?.reasons[0]]));
}

describe('InterPodAffinity filter', () => {
  it.each([
    { name: 'anti-affinity per host', spec: affinity('podAntiAffinity', term({ app: 'web' }, HOST)), want: { a: ANTI, b: undefined, c: undefined } },
    { name: 'anti-affinity per zone', spec: affinity('podAntiAffinity', term({ app: 'web' }, ZONE)), want: { a: ANTI, b: ANTI, c: undefined } },
    { name: 'affinity per host', spec: affinity('podAffinity', term({ app: 'web' }, HOST)), want: { a: undefined, b: AFFINITY, c: AFFINITY } },
    { name: 'affinity per zone', spec: affinity('podAffinity', term({ app: 'web' }, ZONE)), want: { a: undefined, b: undefined, c: AFFINITY } },
    { name: 'affinity to pods that do not exist', spec: affinity('podAffinity', term({ app: 'db' }, HOST)), want: { a: AFFINITY, b: AFFINITY, c: AFFINITY } },
    { name: 'affinity to a missing topology key', spec: affinity('podAffinity', term({ app: 'web' }, 'rack')), want: { a: AFFINITY, b: AFFINITY, c: AFFINITY } },
  ])('$name', ({ spec, want }) => {
    expect(reasons(makePod('p', { spec }), [web()])).toEqual(want);
  });

  it('lets the first pod of a group with affinity to itself go anywhere', () => {
    const pod = makePod('db-0', { labels: { app: 'db' }, spec: affinity('podAffinity', term({ app: 'db' }, HOST)) });
    expect(reasons(pod, [web()])).toEqual({ a: undefined, b: undefined, c: undefined });
  });

  it("honours existing pods' anti-affinity", () => {
    const guard = makePod('guard', { nodeName: 'b', labels: { app: 'guard' }, spec: affinity('podAntiAffinity', term({ app: 'web' }, ZONE)) });
    expect(reasons(makePod('p', { labels: { app: 'web' } }), [guard])).toEqual({ a: EXISTING_ANTI, b: EXISTING_ANTI, c: undefined });
    expect(reasons(makePod('p', { labels: { app: 'api' } }), [guard])).toEqual({ a: undefined, b: undefined, c: undefined });
  });

  it.each([
    { name: 'terms cover only their own namespace by default', extra: {}, want: undefined },
    { name: 'listed namespaces', extra: { namespaces: ['other'] }, want: ANTI },
    { name: 'a namespace selector', extra: { namespaceSelector: { matchLabels: { team: 'x' } } }, want: ANTI },
    { name: 'a namespace selector selecting other namespaces', extra: { namespaceSelector: { matchLabels: { team: 'y' } } }, want: undefined },
    { name: 'an empty namespace selector covers every namespace', extra: { namespaceSelector: {} }, want: ANTI },
  ])('$name', ({ extra, want }) => {
    const pod = makePod('p', { spec: affinity('podAntiAffinity', term({ app: 'web' }, HOST, extra)) });
    expect(reasons(pod, [web('other')], { other: { team: 'x' } }).a).toBe(want);
  });

  it('marks affinity failures unresolvable and anti-affinity failures not', () => {
    const cluster = clusterOf(nodes(), [web()]);
    expect(filterAll(interPodAffinity, makePod('p', { spec: affinity('podAffinity', term({ app: 'web' }, HOST)) }), cluster).b?.unresolvable).toBe(true);
    expect(filterAll(interPodAffinity, makePod('p', { spec: affinity('podAntiAffinity', term({ app: 'web' }, HOST)) }), cluster).a?.unresolvable).toBe(false);
  });
});

describe('InterPodAffinity score', () => {
  it.each([
    { name: 'preferred affinity per zone', spec: preferred('podAffinity', 10, term({ app: 'web' }, ZONE)), want: { a: 100, b: 100, c: 0 } },
    { name: 'preferred anti-affinity per host', spec: preferred('podAntiAffinity', 10, term({ app: 'web' }, HOST)), want: { a: 0, b: 100, c: 100 } },
  ])('$name', ({ spec, want }) => {
    expect(scoreAll(interPodAffinityScore, makePod('p', { spec }), clusterOf(nodes(), [web()]))).toEqual(want);
  });

  it("counts existing pods' preferences and required affinity towards the new pod", () => {
    const fan = makePod('fan', { nodeName: 'c', spec: preferred('podAffinity', 50, term({ app: 'star' }, HOST)) });
    const follower = makePod('follower', { nodeName: 'b', spec: affinity('podAffinity', term({ app: 'star' }, HOST)) });
    // c: +50 from fan's preference, b: +1 from follower's required term → normalized between min 0 and max 50
    expect(scoreAll(interPodAffinityScore, makePod('p', { labels: { app: 'star' } }), clusterOf(nodes(), [fan, follower]))).toEqual({ a: 0, b: 2, c: 100 });
  });

  it('skips when no term relates the pod to any other', () => {
    expect(scoreAll(interPodAffinityScore, makePod('p'), clusterOf(nodes(), [web()]))).toBeUndefined();
  });
});
